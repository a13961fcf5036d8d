from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from threadline.screening.labels import SAFETY_LABELS
from threadline.screening.models import ReferralContact, Screening
from threadline.screening.selectors import SAFETY_QUESTIONS


class StartForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument"))
    age_group = forms.ChoiceField(
        label=_("Age"),
        choices=Screening.AgeGroup.choices,
        initial=Screening.AgeGroup.CHILD,
        widget=forms.RadioSelect,
        help_text=_("When the age is not known the person is treated as a child: the under-18 rules apply."),
    )
    reference = forms.CharField(
        label=_("Pseudonymous reference"),
        max_length=40,
        required=False,
        help_text=_("A code only, never a name. Leave it as suggested or use your own case code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the questions"),
        choices=settings.LANGUAGES,
        help_text=_("The questions are shown in this language when the instrument has a translation."),
    )

    confirm_unvalidated = forms.BooleanField(
        label=_("I understand that an example or draft instrument is not validated (for training and testing)"),
        required=False,
        help_text=_("Its result must not be relied on to identify a victim."),
    )

    def __init__(self, *args, instrument_choices=(), unvalidated=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = list(instrument_choices)
        self.unvalidated = set(unvalidated)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("instrument") in self.unvalidated and not cleaned.get("confirm_unvalidated"):
            self.add_error(
                "confirm_unvalidated",
                _("This instrument is an example or a draft, not validated: confirm that you mean to use it."),
            )
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Instrument file (YAML or JSON)"),
        help_text=_("See the instrument file format in the documentation; a new version needs a new 'version'."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )


class ReferralContactForm(forms.ModelForm):
    class Meta:
        model = ReferralContact
        fields = [
            "name",
            "description",
            "phone",
            "email",
            "hours",
            "for_children",
            "for_adults",
            "position",
            "is_active",
        ]


class SafetyForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in SAFETY_QUESTIONS:
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=list(SAFETY_LABELS.items()),
                required=False,
                widget=forms.RadioSelect,
            )
