from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.prevention.models import SEX_CHOICES, Concern, School

SEX_COLUMNS = [(key, label) for key, label in SEX_CHOICES]


class DistrictForm(forms.Form):
    name = forms.CharField(label=_("District"), max_length=120)
    schools_total = forms.IntegerField(label=_("Schools in the district"), min_value=0, required=False)
    pupils_total = forms.IntegerField(label=_("Pupils in the district"), min_value=0, required=False)


class SchoolForm(forms.Form):
    name = forms.CharField(label=_("School"), max_length=200)
    district = forms.ModelChoiceField(label=_("District"), queryset=None)
    kind = forms.ChoiceField(label=_("Type"), choices=School.Kind.choices)
    pupils_total = forms.IntegerField(label=_("Pupils in the school"), min_value=0, required=False)

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class FacilitatorForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Member"), queryset=None)
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, memberships=None, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["schools"].queryset = schools


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=200)
    completed_on = forms.DateField(label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=5, decimal_places=1, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class PlanForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None)
    curriculum = forms.ChoiceField(label=_("Curriculum"))
    questionnaire = forms.ChoiceField(label=_("Questionnaire"))
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, schools=None, curricula=(), questionnaires=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["curriculum"].choices = curricula
        self.fields["questionnaire"].choices = questionnaires


class SessionLogForm(forms.Form):
    """Log a session in one short form; attendance fields are added per sex and age band."""

    plan = forms.ModelChoiceField(label=_("School and plan"), queryset=None)
    module_session = forms.ChoiceField(label=_("Session"))
    delivered_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    class_label = forms.CharField(
        label=_("Class"), max_length=30, help_text=_("As the school calls it (e.g. 8B). Never a pupil's name.")
    )

    def __init__(self, *args, plans=None, sessions=(), bands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["module_session"].choices = sessions
        self.fields["delivered_on"].initial = timezone.localdate()
        self.bands = list(bands)
        for band in self.bands:
            for sex, label in SEX_COLUMNS:
                self.fields[self.count_name(sex, band)] = forms.IntegerField(
                    label=f"{label}, {band}",
                    min_value=0,
                    max_value=500,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count"}),
                )

    @staticmethod
    def count_name(sex: str, band: str) -> str:
        return f"n_{sex}_{band}"

    def grid(self):
        return [(band, [self[self.count_name(sex, band)] for sex, _label in SEX_COLUMNS]) for band in self.bands]

    def attendance(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for band in self.bands:
            for sex, _label in SEX_COLUMNS:
                value = self.cleaned_data.get(self.count_name(sex, band))
                if value:
                    out.setdefault(sex, {})[band] = value
        return out


class RoundOpenForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("School and plan"), queryset=None)
    phase = forms.ChoiceField(
        label=_("When"), choices=[("pre", _("Before the programme")), ("post", _("After the programme"))]
    )
    class_label = forms.CharField(label=_("Class"), max_length=30, required=False)

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


class ConcernForm(forms.Form):
    category = forms.ChoiceField(label=_("What was raised"), choices=Concern.Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Concern.Urgency.choices, initial="today")
    sex = forms.ChoiceField(label=_("Sex (if known)"), choices=SEX_CHOICES, initial="not_stated")
    age_band = forms.ChoiceField(label=_("Age band (if known)"), required=False)
    note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was said or seen, in a few words. Do not write the pupil's name."),
    )

    def __init__(self, *args, bands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age_band"].choices = [("", _("Not known")), *((b, b) for b in bands)]


class ConcernCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How it was handled"), choices=Concern.Outcome.choices)


class ProtocolForm(forms.Form):
    designated_lead = forms.ModelChoiceField(label=_("Designated lead"), queryset=None)
    steps = forms.CharField(
        label=_("Steps"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("One step per line, in order.")
    )
    acknowledge_within_hours = forms.IntegerField(label=_("Acknowledge within (hours)"), min_value=1, max_value=168)
    close_within_hours = forms.IntegerField(label=_("Handle within (hours)"), min_value=1, max_value=2000)
    mandatory_reporting = forms.CharField(
        label=_("Mandatory reporting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the law requires to be reported, to whom, and how fast."),
    )

    def __init__(self, *args, memberships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designated_lead"].queryset = memberships


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Session code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("The code your facilitator shows on the board."),
    )
