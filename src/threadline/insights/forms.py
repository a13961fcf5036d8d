"""Forms of the insights area: thin, validation only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from threadline.insights.models import ImportFormat, Method
from threadline.insights.stores import DEFAULT_K


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Partner file"), help_text=_("CSV (CTDC or HTCDS) or Excel .xlsx (HTCDS 2.0 template).")
    )
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices, initial=ImportFormat.HTCDS)
    source = forms.RegexField(
        label=_("Source name"),
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        max_length=64,
        help_text=_("A short name for the partner, e.g. partner-a (letters, digits, dot, dash, underscore)."),
        error_messages={"invalid": _("Use 1-64 letters, digits, '.', '_' or '-'.")},
    )
    strict = forms.BooleanField(
        label=_("All or nothing"),
        required=False,
        help_text=_(
            "Store nothing if any value or row has a problem. Otherwise an unreadable value is set to missing "
            "and reported, and a row that cannot be read is quarantined."
        ),
    )


class MappingForm(forms.Form):
    """One select per column of the file: which canonical column it fills, or ignore it."""

    def __init__(self, *args, header: list[str], mapping: dict[str, str], targets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(ignore this column)")), *[(t, t) for t in targets]]
        self.columns = []
        for i, col in enumerate(header):
            name = f"col_{i}"
            self.fields[name] = forms.ChoiceField(
                label=col, choices=choices, required=False, initial=mapping.get(col, "")
            )
            self.columns.append((name, col))

    def mapping(self) -> dict[str, str]:
        return {col: self.cleaned_data.get(name) or "" for name, col in self.columns}


class LinkForm(forms.Form):
    threshold = forms.FloatField(
        label=_("Match probability threshold"),
        min_value=0.5,
        max_value=0.999,
        initial=0.8,
        help_text=_("Two records are taken as the same person at or above this probability."),
    )


class ReleaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    group_by = forms.MultipleChoiceField(
        label=_("Group by (one to three fields)"), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    method = forms.ChoiceField(label=_("Protection"), choices=Method.choices, initial=Method.SUPPRESSION)
    k = forms.IntegerField(
        label=_("k (suppression threshold)"), min_value=DEFAULT_K, max_value=100, initial=DEFAULT_K, required=False
    )
    epsilon = forms.FloatField(
        label=_("Epsilon (differential privacy)"), min_value=0.01, max_value=5, initial=1.0, required=False
    )

    def __init__(self, *args, field_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_by"].choices = field_choices

    def clean_group_by(self):
        value = self.cleaned_data["group_by"]
        if not 1 <= len(value) <= 3:
            raise forms.ValidationError(_("Choose one to three fields."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("method") == Method.SUPPRESSION and not data.get("k"):
            data["k"] = DEFAULT_K
        if data.get("method") == Method.DP and not data.get("epsilon"):
            self.add_error("epsilon", _("Give an epsilon for differential privacy."))
        return data


class SyntheticForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    releases = forms.ModelMultipleChoiceField(label=_("Built from these releases"), queryset=None)

    def __init__(self, *args, releases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["releases"].queryset = releases
