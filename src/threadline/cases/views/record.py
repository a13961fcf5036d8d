"""The forms on one case: its details and identifying data, the person's views, consent, assessment,
services, plan, approvals, cooperation, the person's own record and erasure."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.audit.services import audit_object
from threadline.cases import forms, services
from threadline.cases.models import (
    DETAIL_FIELDS,
    Approval,
    ChildView,
    Consent,
    PlanTask,
    Service,
)
from threadline.cases.views.case import CaseFormView, views_beside
from threadline.core.permissions import has_perm
from threadline.core.views import (
    ScopedActionView,
    ScopedFormView,
)


class CaseDetailsEditView(CaseFormView):
    permission_required = "cases.change_case"
    form_class = forms.CaseDetailsForm
    anchor = "details"
    title = gettext_lazy("Case details")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.case}

    def perform(self, data):
        services.case_update(case=self.case, user=self.request.user, **{n: data[n] for n in DETAIL_FIELDS})


class CaseIdentityView(CaseFormView):
    """Identifying data: reading it (even to edit) is audited; it needs its own permission."""

    permission_required = "cases.identify_case"
    form_class = forms.CaseIdentityForm
    template_name = "cases/identity.html"
    anchor = "identity"
    title = gettext_lazy("Identifying data")

    def get(self, request, *args, **kwargs):
        audit_object("view", self.case, note="identifying data")
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.case}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = has_perm(self.request.user, "cases.change_case", self.request.organisation)
        return ctx

    def perform(self, data):
        if not has_perm(self.request.user, "cases.change_case", self.request.organisation):
            raise PermissionDenied
        if self.case.anonymised_at:
            raise ValidationError(_("This case has been anonymised."))
        services.case_update(case=self.case, user=self.request.user, **data)


class ChildViewAddView(CaseFormView):
    permission_required = "cases.add_childview"
    form_class = forms.ChildViewForm
    anchor = "views"
    title = gettext_lazy("Record the person's views and wishes")

    def get_initial(self):
        return {"topic": self.request.GET.get("topic", ChildView.Topic.GENERAL)}

    def perform(self, data):
        services.child_view_record(case=self.case, user=self.request.user, **data)


class ConsentAddView(CaseFormView):
    permission_required = "cases.add_consent"
    form_class = forms.ConsentForm
    anchor = "consent"
    title = gettext_lazy("Record consent")
    template_name = "cases/consent_form.html"

    def get_form_kwargs(self):
        partners = services.referral_targets(organisation=self.request.organisation)
        return {**super().get_form_kwargs(), "partners": partners}

    def perform(self, data):
        services.consent_record(case=self.case, user=self.request.user, **data)


class ConsentRevokeView(ScopedActionView):
    permission_required = "cases.change_consent"
    success_message = gettext_lazy("Consent revoked.")
    refusals = ()

    def act(self, request, pk):
        form = forms.RevokeForm(request.POST)
        if not form.is_valid():
            raise Http404
        self.consent = self.scoped_object(Consent, "change", pk=pk)
        services.consent_revoke(consent=self.consent, user=request.user, note=form.cleaned_data["note"])

    def get_redirect_url(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.consent.case_id}) + "#consent"


class AssessmentView(CaseFormView):
    permission_required = "cases.change_assessment"
    form_class = forms.AssessmentForm
    anchor = "assessment"
    title = gettext_lazy("Needs assessment")
    views_topic = "assessment"

    def get_initial(self):
        found = getattr(self.case, "assessment", None) if hasattr(self.case, "assessment") else None
        if found is None:
            return {}
        audit_object("view", found, note="assessment notes")
        return {"needs": found.needs, "summary": found.summary}

    def perform(self, data):
        services.assessment_save(case=self.case, user=self.request.user, **data)


class ServiceAddView(CaseFormView):
    permission_required = "cases.add_service"
    form_class = forms.ServiceForm
    anchor = "services"
    title = gettext_lazy("Add a service")
    views_topic = "services"

    def perform(self, data):
        services.service_add(case=self.case, user=self.request.user, **data)


class ServiceEditView(ScopedFormView):
    permission_required = "cases.change_service"
    form_class = forms.ServiceUpdateForm
    template_name = "cases/form.html"

    @cached_property
    def service(self) -> Service:
        qs = Service.objects.restrict(self.request.user, "change", self.request.organisation)
        return get_object_or_404(qs.select_related("case"), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.service}

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.service.case, title=_("Update a service"), **kwargs)

    def perform(self, data):
        services.service_update(service=self.service, user=self.request.user, **data)

    def performed(self, result):
        return redirect(reverse("cases:detail", kwargs={"pk": self.service.case_id}) + "#services")


class PlanTaskAddView(CaseFormView):
    permission_required = "cases.add_plantask"
    form_class = forms.PlanTaskForm
    anchor = "plan"
    title = gettext_lazy("Add a goal and task to the case plan")
    views_topic = "plan"

    def perform(self, data):
        services.plan_task_add(case=self.case, user=self.request.user, **data)


class PlanTaskDoneView(ScopedActionView):
    permission_required = "cases.change_plantask"
    refusals = ()

    def act(self, request, pk):
        self.item = self.scoped_object(PlanTask, "change", pk=pk)
        services.plan_task_complete(item=self.item, user=request.user)

    def get_redirect_url(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.item.case_id}) + "#plan"


class ApprovalRequestView(CaseFormView):
    permission_required = "cases.add_approval"
    form_class = forms.ApprovalRequestForm
    anchor = "approvals"
    title = gettext_lazy("Ask for a supervisor's approval")
    views_topic = "closure"

    def get_initial(self):
        return {"subject": self.request.GET.get("subject", Approval.Subject.ASSESSMENT)}

    def perform(self, data):
        services.approval_request(case=self.case, user=self.request.user, **data)


class ApprovalDecideView(ScopedFormView):
    permission_required = "cases.approve_case"
    form_class = forms.ApprovalDecideForm
    template_name = "cases/form.html"
    success_message = gettext_lazy("Decision recorded.")
    refusals = (ValidationError,)

    @cached_property
    def approval(self) -> Approval:
        qs = Approval.objects.restrict(self.request.user, "view", self.request.organisation)
        return get_object_or_404(qs.select_related("case"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            case=self.approval.case,
            approval=self.approval,
            title=_("Decide: %(subject)s") % {"subject": self.approval.get_subject_display()},
            beside=views_beside(self.approval.case, self.approval.subject),
            **kwargs,
        )

    def perform(self, data):
        services.approval_decide(
            approval=self.approval, user=self.request.user, approve=data["decision"] == "approve", note=data["note"]
        )

    def performed(self, result):
        return redirect(reverse("cases:detail", kwargs={"pk": self.approval.case_id}) + "#approvals")


class CooperationView(CaseFormView):
    permission_required = "cases.change_cooperation"
    form_class = forms.CooperationForm
    anchor = "cooperation"
    title = gettext_lazy("Cooperation with police and courts")

    def get_form_kwargs(self):
        found = getattr(self.case, "cooperation", None) if hasattr(self.case, "cooperation") else None
        return {**super().get_form_kwargs(), "instance": found}

    def perform(self, data):
        services.cooperation_save(case=self.case, user=self.request.user, **data)


class AccessExportView(CaseFormView):
    """The person's own record for them: JSON and PDF in a password-protected (AES) zip. Audited."""

    permission_required = "cases.access_export_case"
    case_action = "view"
    form_class = forms.AccessExportForm
    title = gettext_lazy("Export the person's record for them")
    template_name = "cases/access_export.html"

    def form_valid(self, form):
        from django.http import HttpResponse

        from threadline.audit.services import audit_record
        from threadline.cases.exports import access_export_zip

        payload = access_export_zip(case=self.case, password=form.cleaned_data["password"])
        audit_record(
            action="export",
            object_type="cases.case",
            object_id=str(self.case.pk),
            note="access export for the person (json, pdf)",
            organisation_id=self.case.organisation_id,
        )
        response = HttpResponse(payload, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="record-{self.case.code}.zip"'
        return response


class EraseView(CaseFormView):
    permission_required = "cases.erase_case"
    form_class = forms.EraseForm
    title = gettext_lazy("Erase identifying data")
    anchor = "retention"

    def perform(self, data):
        services.case_erase(case=self.case, user=self.request.user, reason=data["reason"])
