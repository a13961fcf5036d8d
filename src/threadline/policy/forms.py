from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.policy.models import (
    AdvisorySubmission,
    Consultation,
    Decision,
    ImpactRating,
    Indicator,
    Policy,
    PopulationFigure,
    ResultsChainItem,
)

AGE_BAND_LABELS = {
    "under_8": _("under 8"),
    "8_12": _("8 to 12"),
    "13_15": _("13 to 15"),
    "16_17": _("16 to 17"),
    "18_24": _("18 to 24 (care leavers, young survivors)"),
}
SEX_LABELS = {"girls": _("girls"), "boys": _("boys"), "other": _("another answer or not said")}


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["title", "reference", "kind", "department", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class StartAssessmentForm(forms.Form):
    template = forms.ChoiceField(label=_("Framework"))

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates


class CitationForm(forms.Form):
    citation = forms.CharField(label=_("Citation"), max_length=500)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    summary = forms.CharField(label=_("What it shows"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceNoteForm(forms.Form):
    """For a frozen figure: only the note on what it shows can change."""

    summary = forms.CharField(label=_("What it shows"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReleaseCitationForm(forms.Form):
    release = forms.ModelChoiceField(label=_("Published insights release"), queryset=None)
    summary = forms.CharField(label=_("What it shows"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, releases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = releases


class PreventionCitationForm(forms.Form):
    summary_item = forms.ModelChoiceField(label=_("Published prevention summary"), queryset=None)
    summary = forms.CharField(label=_("What it shows"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, summaries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary_item"].queryset = summaries


class ConsultationForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=Consultation.Method.choices)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    what_they_said = forms.CharField(label=_("What they said"), widget=forms.Textarea(attrs={"rows": 4}))
    how_it_changed = forms.CharField(label=_("How it changed the decision"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for band in Consultation.AGE_BANDS:
            for sex in Consultation.SEXES:
                self.fields[f"p_{band}_{sex}"] = forms.IntegerField(
                    label=f"{AGE_BAND_LABELS[band]}: {SEX_LABELS[sex]}", min_value=0, max_value=100000, required=False
                )

    @property
    def participant_fields(self):
        return [self[f"p_{band}_{sex}"] for band in Consultation.AGE_BANDS for sex in Consultation.SEXES]


def participants_from(cleaned_data: dict) -> dict[str, int]:
    """A :class:`ConsultationForm`'s numbers of children by age band and sex, as ``{"band:sex": n}``."""
    return {
        f"{band}:{sex}": cleaned_data.get(f"p_{band}_{sex}") or 0
        for band in Consultation.AGE_BANDS
        for sex in Consultation.SEXES
    }


class FeedbackReturnForm(forms.Form):
    feedback_summary = forms.CharField(
        label=_("Child-friendly summary returned to them"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Short sentences, what you heard, what changed and what did not, and why."),
    )
    returned_on = forms.DateField(
        label=_("Returned on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImpactForm(forms.Form):
    article = forms.CharField(widget=forms.HiddenInput)
    group = forms.ChoiceField(label=_("Group of children"), choices=ImpactRating.Group.choices)
    rating = forms.ChoiceField(label=_("Impact"), choices=ImpactRating.Rating.choices)
    reasoning = forms.CharField(label=_("Reasoning"), widget=forms.Textarea(attrs={"rows": 2}))
    mitigation = forms.CharField(label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices)
    rationale = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = forms.DateField(
        label=_("Decided on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    summary = forms.CharField(label=_("Public summary"), widget=forms.Textarea(attrs={"rows": 4}))
    child_friendly_summary = forms.CharField(
        label=_("Child-friendly summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Written for the children concerned: what was decided, what they told you and what it changed."),
    )
    language = forms.ChoiceField(label=_("Language of the texts"), choices=settings.LANGUAGES)


class ResultForm(forms.ModelForm):
    class Meta:
        model = ResultsChainItem
        fields = ["level", "description"]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "source",
            "result",
            "unit",
            "baseline",
            "baseline_year",
            "target",
            "target_year",
            "review_every_months",
            "next_review_on",
        ]
        widgets = {"next_review_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].queryset = policy.results.all() if policy is not None else ResultsChainItem.objects.none()


class IndicatorValueForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=40)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)


class PopulationForm(forms.ModelForm):
    class Meta:
        model = PopulationFigure
        fields = ["year", "age_group", "sex", "population", "source"]


class AdvisoryForm(forms.Form):
    """Every question may be skipped; nothing asks who the person is."""

    about = forms.ChoiceField(
        label=_("What would you like to tell us about?"),
        choices=AdvisorySubmission.About.choices,
        widget=forms.RadioSelect,
        initial=AdvisorySubmission.About.SERVICE,
    )
    area = forms.ChoiceField(
        label=_("Which service or topic?"), choices=AdvisorySubmission.Area.choices, required=False
    )
    comments = forms.CharField(
        label=_("Anything you want to say (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Please do not write names or details that could identify you or anyone else."),
    )
    contact_consent = forms.BooleanField(
        label=_("I agree that someone from the team may contact me about this feedback"), required=False
    )
    contact = forms.CharField(
        label=_("How to reach me (only if you ticked the box above)"),
        required=False,
        max_length=300,
        help_text=_("Stored encrypted and read only by the policy team. Leave empty to stay anonymous."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("I prefer not to answer")), *AdvisorySubmission.Answer.choices]
        for name in AdvisorySubmission.DIMENSIONS:
            label = AdvisorySubmission._meta.get_field(name).verbose_name
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect
            )
        order = ["about", "area", *AdvisorySubmission.DIMENSIONS, "comments", "contact_consent", "contact"]
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        if data.get("contact") and not data.get("contact_consent"):
            self.add_error(
                "contact_consent", _("Tick the box if you want to be contacted, or leave the contact empty.")
            )
        return data
