"""Forms of the online area: input only; services do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from threadline.core.uploads import check_upload_size
from threadline.online.evidence import CATEGORY_LABELS
from threadline.online.models import RELEVANT_LABELS, Investigation, Label, NoticeStatus

REVIEW_STATUS_CHOICES = [
    ("", _("Any")),
    ("unreviewed", _("Not yet labelled")),
    ("labelled", _("Labelled")),
    ("unconfirmed", _("Labelled, awaiting a second reviewer")),
    ("confirmed", _("Confirmed by a second reviewer")),
    ("assigned_to_me", _("Assigned to me")),
    *[(value, label) for value, label in Label.choices],
]


class InvestigationForm(forms.ModelForm):
    class Meta:
        model = Investigation
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Ad file"), help_text=_(".jsonl, .csv or .parquet, optionally gzip-compressed"))


class ServerPathForm(forms.Form):
    path = forms.CharField(
        label=_("Server path"),
        max_length=1000,
        help_text=_("A file or directory under a directory your administrator opened for scanning."),
    )


class NetworkFilterForm(forms.Form):
    q = forms.CharField(label=_("Identifier"), required=False, max_length=200,
                        help_text=_("A phone in any format, an email, a handle, an ad or network id."))  # fmt: skip
    category = forms.ChoiceField(label=_("Indicator category"), required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    site = forms.ChoiceField(label=_("Site"), required=False)
    min_ads = forms.IntegerField(
        label=_("Ads at least"),
        required=False,
        min_value=1,
        help_text=_("2 unless you change it: a single ad is not a network. Clear it to see single ads too."),
    )
    max_ads = forms.IntegerField(label=_("Ads at most"), required=False, min_value=1)
    date_from = forms.DateField(label=_("Active from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Active until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    review = forms.ChoiceField(label=_("Review status"), required=False, choices=REVIEW_STATUS_CHOICES)

    def __init__(self, *args, sites: list[str] = (), cities: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any")), *CATEGORY_LABELS.items()]
        self.fields["site"].choices = [("", _("Any")), *[(s, s) for s in sites]]
        self.fields["city"].widget.attrs["list"] = "city-options"
        self.cities = list(cities)


class LabelForm(forms.Form):
    """A network's label. It starts empty (no label is ever preselected), and a serious label (likely
    trafficking, possible minor) is saved only with an explicit confirmation."""

    label = forms.ChoiceField(label=_("Label"), choices=[("", _("Choose a label…")), *Label.choices])
    confirm_serious = forms.BooleanField(
        label=_("I have reviewed the evidence and confirm a serious label (likely trafficking or possible minor)"),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("label") in RELEVANT_LABELS and not cleaned.get("confirm_serious"):
            self.add_error(
                "confirm_serious",
                _("A serious label needs your confirmation: tick the box to say you have reviewed the evidence."),
            )
        return cleaned


class AdLabelForm(forms.Form):
    ad_id = forms.CharField(max_length=200, widget=forms.HiddenInput)
    label = forms.ChoiceField(label=_("Label this ad"), choices=Label.choices)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(u.pk, u.email) for u in colleagues]


class NoticeForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("These ads show indicators of trafficking for human review; we ask you to review and remove them."),
    )

    def __init__(self, *args, platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [(p, p) for p in platforms]


class NoticeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=NoticeStatus.choices)
    at = forms.DateTimeField(
        label=_("Date"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )  # fmt: skip


class SignalsForm(forms.Form):
    key = forms.CharField(
        label=_("Shared key"),
        min_length=16,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The secret agreed with the partner (at least 16 characters). It is not stored."),
    )
    scope = forms.ChoiceField(
        label=_("Networks"),
        choices=[("relevant", _("Labelled likely trafficking or possible minor")), ("labelled", _("All labelled"))],
    )


class VerifyForm(forms.Form):
    package = forms.FileField(label=_("Evidence package (ZIP)"))

    def clean_package(self):
        package = self.cleaned_data["package"]
        check_upload_size(package, settings.ONLINE_UPLOAD_MAX_BYTES)
        return package
