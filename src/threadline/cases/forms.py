"""Forms for case pages. Thin: validation of shape only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.cases import consent_rules
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    DETAIL_FIELDS,
    SENSITIVE_FIELDS,
    Approval,
    Case,
    ChildView,
    Consent,
    Cooperation,
    Service,
)
from threadline.core.validators import validate_country_code

DATE = forms.DateInput(attrs={"type": "date"})
MULTI = forms.CheckboxSelectMultiple


def _country(value: str) -> str:
    value = (value or "").strip().upper()
    validate_country_code(value)
    return value


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Case code"), required=False, max_length=20)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("active", _("Open (any stage)")), *v.Status.choices],
    )
    child_status = forms.ChoiceField(
        label=_("Child status"), required=False, choices=[("", _("Any")), *v.ChildStatus.choices]
    )
    exploitation = forms.ChoiceField(
        label=_("Exploitation"), required=False, choices=[("", _("Any")), *v.Exploitation.choices]
    )
    mine = forms.BooleanField(label=_("Only my cases"), required=False)


class CaseDetailsForm(forms.ModelForm):
    """Non-identifying HTCDS details."""

    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"), required=False, choices=v.MeansOfControl.choices, widget=MULTI
    )
    other_exploitation = forms.MultipleChoiceField(
        label=_("Other types of exploitation"), required=False, choices=v.Exploitation.choices, widget=MULTI
    )

    class Meta:
        model = Case
        fields = list(DETAIL_FIELDS)
        widgets = {
            "guardian_appointed_on": DATE,
            "identified_on": DATE,
            "reflection_start": DATE,
            "reflection_end": DATE,
        }

    def clean_citizenship(self):
        return _country(self.cleaned_data.get("citizenship"))

    def clean_country_of_exploitation(self):
        return _country(self.cleaned_data.get("country_of_exploitation"))

    def clean_transit_countries(self):
        codes = [_country(c) for c in (self.cleaned_data.get("transit_countries") or "").split(",") if c.strip()]
        return ",".join(codes)

    def clean(self):
        data = super().clean()
        start, end = data.get("reflection_start"), data.get("reflection_end")
        if start and end and (end - start).days < 30:
            self.add_error("reflection_end", _("The recovery and reflection period is at least 30 days."))
        return data


class CaseIdentityForm(forms.ModelForm):
    """Identifying data: keep it to what is needed to help the person."""

    class Meta:
        model = Case
        fields = list(SENSITIVE_FIELDS)
        widgets = {
            "full_name": forms.TextInput,
            "date_of_birth": forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"}),
            "contact": forms.TextInput,
            "guardian_name": forms.TextInput,
            "guardian_contact": forms.TextInput,
            "address": forms.Textarea(attrs={"rows": 2}),
            "route_notes": forms.Textarea(attrs={"rows": 3}),
            "best_interests": forms.Textarea(attrs={"rows": 4}),
            "best_interests_on": DATE,
        }


class CaseOpenForm(CaseDetailsForm):
    full_name = forms.CharField(
        label=_("Name (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only if needed to help the person. Encrypted, never shown in lists."),
    )

    class Meta(CaseDetailsForm.Meta):
        fields = ["full_name", *DETAIL_FIELDS[:4], "exploitation", "country_of_exploitation", "identification_method"]


class ChildViewForm(forms.ModelForm):
    class Meta:
        model = ChildView
        fields = ["topic", "text", "recorded_on"]
        widgets = {"recorded_on": DATE, "text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"text": _("In the person's own words where possible.")}


class ConsentForm(forms.ModelForm):
    shares = forms.MultipleChoiceField(
        label=_("What may be shared (sharing only)"), required=False, choices=Consent.Share.choices, widget=MULTI
    )

    class Meta:
        model = Consent
        fields = ["scope", "granted", "partner", "shares", "given_by", "informed_on", "method", "language"]
        widgets = {"informed_on": DATE}

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["informed_on"].initial = timezone.localdate()


class RevokeForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class AssessmentForm(forms.Form):
    needs = forms.MultipleChoiceField(label=_("Needs"), choices=v.Need.choices, widget=MULTI, required=False)
    summary = forms.CharField(
        label=_("Assessment notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["kind", "provider", "start_on", "end_on", "status", "outcome"]
        widgets = {"start_on": DATE, "end_on": DATE}


class ServiceUpdateForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["status", "end_on", "outcome"]
        widgets = {"end_on": DATE}


class PlanTaskForm(forms.Form):
    goal = forms.CharField(label=_("Goal"), max_length=200)
    task = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    follow_up_on = forms.DateField(label=_("Follow up on"), widget=DATE, required=False)


class ApprovalRequestForm(forms.Form):
    subject = forms.ChoiceField(
        label=_("Ask a supervisor to approve"),
        # A safety concern reaches the supervisor by itself, from the screening's safety answers.
        choices=[c for c in Approval.Subject.choices if c[0] != Approval.Subject.SAFETY],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ApprovalDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CooperationForm(forms.ModelForm):
    class Meta:
        model = Cooperation
        fields = ["stance", "authority", "proceedings", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"stance": _("Recorded for the person's protection and redress. It never affects support.")}


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("To organisation"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    services = forms.MultipleChoiceField(
        label=_("Services asked for"), choices=v.Need.choices, widget=MULTI, required=False
    )
    shares = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=Consent.Share.choices,
        widget=MULTI,
        initial=[consent_rules.SHARE_SUMMARY],
        help_text=_("Only what the person agreed to share with this organisation can be sent."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    override_reason = forms.CharField(
        label=_("Override consent: reason (supervisors only)"),
        required=False,
        max_length=300,
        help_text=_("Only when the person's safety requires it. The referral is flagged and the override audited."),
    )

    def __init__(self, *args, partners=None, can_override=False, **kwargs):
        from threadline.cases.models import Referral

        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = partners
        self.fields["kind"].choices = Referral.Kind.choices
        if not can_override:
            del self.fields["override_reason"]


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"), choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class AccessExportForm(forms.Form):
    password = forms.CharField(
        label=_("Password for the file"),
        min_length=12,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 12 characters. Give it to the person separately from the file."),
    )


class EraseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("For example: the person's request."))
    confirm = forms.BooleanField(label=_("I understand that identifying data of this case is erased for good."))


class CaseSettingsForm(forms.Form):
    retention_days = forms.IntegerField(label=_("Anonymise closed cases after (days)"), min_value=1, max_value=36500)
    reflection_days = forms.IntegerField(label=_("Recovery and reflection period (days)"), min_value=30, max_value=3650)


class PartnerForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Organisation"), queryset=None)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = organisations
