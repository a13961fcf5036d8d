"""Case pages. Thin: every write goes through ``services``; every queryset is restricted to the current
organisation; every read of identifying data is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView

from threadline.accounts.permissions import has_perm
from threadline.audit.mixins import AuditReadMixin
from threadline.audit.services import audit_object
from threadline.cases import forms, selectors, services
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    DETAIL_FIELDS,
    Approval,
    Case,
    ChildView,
    Consent,
    IncomingReferral,
    PlanTask,
    Referral,
    Service,
)
from threadline.cases.pagination import CappedPaginator
from threadline.core.errors import show_errors
from threadline.core.views import (
    OrganisationPermissionMixin,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedTemplateView,
)

LIST_LABELS = {
    "status": v.Status.choices,
    "child_status": v.ChildStatus.choices,
    "exploitation": v.Exploitation.choices,
}


class CaseListView(ScopedListView):
    """Cases of the organisation. Names hidden; labels resolved once per page, counting capped (fast at 100k)."""

    model = Case
    permission_required = "cases.view_case"
    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginator_class = CappedPaginator

    @cached_property
    def filter_form(self):
        return forms.CaseFilterForm(self.request.GET or None)

    def get_queryset(self):
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.case_list(
            user=self.request.user,
            organisation=self.request.organisation,
            filters=selectors.CaseFilters(**{k: data.get(k) or d for k, d in selectors.CaseFilters().__dict__.items()}),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        labels = {name: {k: str(label) for k, label in choices} for name, choices in LIST_LABELS.items()}
        for case in ctx["cases"]:
            case.labels = {name: labels[name].get(getattr(case, name), "") for name in labels}
        ctx.update(filter_form=self.filter_form, query=params.urlencode())
        return ctx


class DashboardView(ScopedTemplateView):
    permission_required = "cases.view_case"
    template_name = "cases/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["board"] = selectors.dashboard(user=self.request.user, organisation=self.request.organisation)
        return ctx


class CaseOpenView(ScopedFormView):
    permission_required = "cases.add_case"
    template_name = "cases/form.html"
    form_class = forms.CaseOpenForm
    success_message = _("Case opened. The recovery and reflection period has started.")

    def perform(self, data):
        return services.case_open(organisation=self.request.organisation, user=self.request.user, **data)

    def performed(self, case):
        return redirect("cases:detail", pk=case.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Open a case"), **kwargs)


class CaseDetailView(AuditReadMixin, ScopedDetailView):
    """The case page. Identifying fields are not shown here; the page itself is a read of a sensitive record."""

    model = Case
    permission_required = "cases.view_case"
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case, user, org = self.object, self.request.user, self.request.organisation
        views = selectors.views_by_topic(case=case)
        general = views["general"]
        ctx.update(
            views=views,
            views_for={topic: (items + general)[:3] for topic, items in views.items()},
            consent=selectors.consent_summary(case=case),
            assessment=getattr(case, "assessment", None) if hasattr(case, "assessment") else None,
            services=Service.objects.restrict(user, "view", org).filter(case=case),
            tasks=PlanTask.objects.restrict(user, "view", org).filter(case=case),
            approvals=Approval.objects.restrict(user, "view", org)
            .filter(case=case)
            .select_related("requested_by", "decided_by"),
            referrals=Referral.objects.restrict(user, "view", org).filter(case=case).select_related("to_organisation"),
            cooperation=getattr(case, "cooperation", None) if hasattr(case, "cooperation") else None,
            screening=_linked_screening(case, user, org),
            can=_abilities(user, org),
        )
        return ctx


def _linked_screening(case: Case, user, organisation):
    """The screening this case was opened from, when the user may see it (otherwise only its summary shows)."""
    if not case.screening_id:
        return None
    from threadline.screening.models import Screening

    return Screening.objects.restrict(user, "view", organisation).filter(pk=case.screening_id).first()


def _abilities(user, org) -> dict[str, bool]:
    names = [
        "identify_case",
        "change_case",
        "add_childview",
        "add_consent",
        "change_consent",
        "change_assessment",
        "add_service",
        "change_service",
        "add_plantask",
        "change_plantask",
        "add_approval",
        "approve_case",
        "change_cooperation",
        "add_referral",
        "change_referral",
        "access_export_case",
        "erase_case",
    ]
    return {name: has_perm(user, f"cases.{name}", org) for name in names}


def _beside(case: Case, topic: str) -> list[ChildView]:
    """The person's latest views on this kind of decision (and general ones), to show beside the form.
    They are the person's own words, so showing them is an audited read."""
    views = selectors.views_by_topic(case=case)
    shown = (views.get(topic, []) + views["general"])[:3]
    if shown:
        audit_object("view", case, note="views and wishes")
    return shown


class CaseObjectMixin(OrganisationPermissionMixin):
    """A page that acts on one case of the current organisation (404 for anyone else's)."""

    case_action = "change"

    @cached_property
    def case(self) -> Case:
        qs = Case.objects.restrict(self.request.user, self.case_action, self.request.organisation)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(case=self.case, title=self.title, beside=_beside(self.case, getattr(self, "views_topic", "general")))
        return ctx

    def done(self, anchor: str = ""):
        return redirect(reverse("cases:detail", kwargs={"pk": self.case.pk}) + (f"#{anchor}" if anchor else ""))


class CaseFormView(CaseObjectMixin, ScopedFormView):
    """Validate, call one service, go back to the case. Service refusals (consent, rules) show on the form."""

    template_name = "cases/form.html"
    success_message = _("Saved.")
    anchor = ""
    title = ""

    def performed(self, result):
        return self.done(self.anchor)


class CaseDetailsEditView(CaseFormView):
    permission_required = "cases.change_case"
    form_class = forms.CaseDetailsForm
    anchor = "details"
    title = _("Case details")

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
    title = _("Identifying data")

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
    title = _("Record the person's views and wishes")

    def get_initial(self):
        return {"topic": self.request.GET.get("topic", ChildView.Topic.GENERAL)}

    def perform(self, data):
        services.child_view_record(case=self.case, user=self.request.user, **data)


class ConsentAddView(CaseFormView):
    permission_required = "cases.add_consent"
    form_class = forms.ConsentForm
    anchor = "consent"
    title = _("Record consent")
    template_name = "cases/consent_form.html"

    def get_form_kwargs(self):
        partners = services.referral_targets(organisation=self.request.organisation)
        return {**super().get_form_kwargs(), "partners": partners}

    def perform(self, data):
        services.consent_record(case=self.case, user=self.request.user, **data)


class ConsentRevokeView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.change_consent"
    form_class = forms.RevokeForm
    http_method_names = ["post"]

    def form_valid(self, form):
        qs = Consent.objects.restrict(self.request.user, "change", self.request.organisation)
        consent = get_object_or_404(qs, pk=self.kwargs["pk"])
        services.consent_revoke(consent=consent, user=self.request.user, note=form.cleaned_data["note"])
        messages.success(self.request, _("Consent revoked."))
        return redirect(reverse("cases:detail", kwargs={"pk": consent.case_id}) + "#consent")

    def form_invalid(self, form):
        raise Http404


class AssessmentView(CaseFormView):
    permission_required = "cases.change_assessment"
    form_class = forms.AssessmentForm
    anchor = "assessment"
    title = _("Needs assessment")
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
    title = _("Add a service")
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
    title = _("Add a goal and task to the case plan")
    views_topic = "plan"

    def perform(self, data):
        services.plan_task_add(case=self.case, user=self.request.user, **data)


class PlanTaskDoneView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.change_plantask"
    form_class = forms.WithdrawForm
    http_method_names = ["post"]

    def form_valid(self, form):
        qs = PlanTask.objects.restrict(self.request.user, "change", self.request.organisation)
        item = get_object_or_404(qs, pk=self.kwargs["pk"])
        services.plan_task_complete(item=item, user=self.request.user)
        return redirect(reverse("cases:detail", kwargs={"pk": item.case_id}) + "#plan")


class ApprovalRequestView(CaseFormView):
    permission_required = "cases.add_approval"
    form_class = forms.ApprovalRequestForm
    anchor = "approvals"
    title = _("Ask for a supervisor's approval")
    views_topic = "closure"

    def get_initial(self):
        return {"subject": self.request.GET.get("subject", Approval.Subject.ASSESSMENT)}

    def perform(self, data):
        services.approval_request(case=self.case, user=self.request.user, **data)


class ApprovalDecideView(ScopedFormView):
    permission_required = "cases.approve_case"
    form_class = forms.ApprovalDecideForm
    template_name = "cases/form.html"
    success_message = _("Decision recorded.")
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
            beside=_beside(self.approval.case, self.approval.subject),
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
    title = _("Cooperation with police and courts")

    def get_form_kwargs(self):
        found = getattr(self.case, "cooperation", None) if hasattr(self.case, "cooperation") else None
        return {**super().get_form_kwargs(), "instance": found}

    def perform(self, data):
        services.cooperation_save(case=self.case, user=self.request.user, **data)


class ReferralCreateView(CaseFormView):
    permission_required = "cases.add_referral"
    form_class = forms.ReferralForm
    anchor = "referrals"
    title = _("Refer or transfer to another organisation")
    views_topic = "referral"
    template_name = "cases/referral_form.html"

    def get_form_kwargs(self):
        org, user = self.request.organisation, self.request.user
        return {
            **super().get_form_kwargs(),
            "partners": services.referral_targets(organisation=org),
            "can_override": has_perm(user, "cases.override_consent", org),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(consent=selectors.consent_summary(case=self.case), **kwargs)

    def perform(self, data):
        services.referral_create(case=self.case, user=self.request.user, **data)


class ReferralWithdrawView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.change_referral"
    form_class = forms.WithdrawForm
    http_method_names = ["post"]

    def form_valid(self, form):
        qs = Referral.objects.restrict(self.request.user, "change", self.request.organisation)
        referral = get_object_or_404(qs, pk=self.kwargs["pk"])
        try:
            services.referral_withdraw(referral=referral, user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_errors(self.request, exc)
        return redirect(reverse("cases:detail", kwargs={"pk": referral.case_id}) + "#referrals")


class IncomingListView(ScopedListView):
    model = IncomingReferral
    permission_required = "cases.view_incomingreferral"
    template_name = "cases/incoming_list.html"
    context_object_name = "referrals"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation").defer("shared_identity").order_by("-created_at")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [(r, selectors.incoming_triage(r)) for r in ctx["referrals"]]
        return ctx


class IncomingDetailView(AuditReadMixin, ScopedDetailView):
    """What another organisation shared. Only the ``shared`` snapshot is shown, never their case."""

    model = IncomingReferral
    permission_required = "cases.view_incomingreferral"
    template_name = "cases/incoming_detail.html"
    context_object_name = "referral"

    def get_context_data(self, **kwargs):
        import json

        ctx = super().get_context_data(**kwargs)
        referral = self.object
        secret = json.loads(referral.shared_identity) if referral.shared_identity else {}
        triage = selectors.incoming_triage(referral)
        topics = dict(ChildView.Topic.choices)
        for view in secret.get("views", []):
            view["topic"] = str(topics.get(view.get("topic"), view.get("topic")))
        if secret.get("identity"):
            secret["identity"] = {
                str(Case._meta.get_field(name).verbose_name).capitalize(): value
                for name, value in secret["identity"].items()
            }
        ctx.update(
            triage=triage,
            summary=triage.summary or None,
            secret=secret,
            form=forms.AnswerForm(),
            can_answer=has_perm(self.request.user, "cases.change_incomingreferral", self.request.organisation),
        )
        return ctx


class IncomingAnswerView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.change_incomingreferral"
    form_class = forms.AnswerForm
    template_name = "cases/form.html"
    http_method_names = ["post"]

    def form_valid(self, form):
        qs = IncomingReferral.objects.restrict(self.request.user, "change", self.request.organisation)
        referral = get_object_or_404(qs, pk=self.kwargs["pk"])
        try:
            if form.cleaned_data["decision"] == "accept":
                new_case = services.referral_accept(
                    referral=referral, user=self.request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(self.request, _("Accepted. A case has been opened in your organisation."))
                return redirect("cases:detail", pk=new_case.pk)
            services.referral_reject(referral=referral, user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_errors(self.request, exc)
        return redirect("cases:incoming_detail", pk=referral.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("Choose accept or reject."))
        return redirect("cases:incoming_detail", pk=self.kwargs["pk"])


class AccessExportView(CaseFormView):
    """The person's own record for them: JSON and PDF in a password-protected (AES) zip. Audited."""

    permission_required = "cases.access_export_case"
    case_action = "view"
    form_class = forms.AccessExportForm
    title = _("Export the person's record for them")
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
    title = _("Erase identifying data")
    anchor = "retention"

    def perform(self, data):
        services.case_erase(case=self.case, user=self.request.user, reason=data["reason"])


class StatisticsExportView(ScopedTemplateView):
    """Non-identifying fields for data officers, for cases whose person agreed to statistics."""

    permission_required = "cases.export_case"
    template_name = "cases/export.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt not in {"csv", "xlsx", "htcds", "htcds-xlsx"}:
            return super().get(request, *args, **kwargs)
        from django.http import HttpResponse

        from threadline.audit.services import audit_record
        from threadline.cases import exports

        org = request.organisation
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        note = f"non-identifying case fields ({fmt})"
        if fmt == "csv":
            body, kind, ext = exports.statistics_csv(organisation=org), "text/csv; charset=utf-8", "csv"
        elif fmt == "xlsx":
            body, kind, ext = exports.statistics_xlsx(organisation=org), xlsx, "xlsx"
        else:
            partner = self._partner(request)
            body = exports.htcds_export(
                organisation=org, user=request.user, partner=partner, spreadsheet=fmt != "htcds"
            )
            kind, ext = (xlsx, "xlsx") if fmt != "htcds" else ("text/csv; charset=utf-8", "csv")
            if partner is not None:
                note = f"HTCDS case fields for partner {partner.pk} ({fmt}), identities where consent and role allow"
        audit_record(action="export", object_type="cases.case", note=note)
        response = HttpResponse(body, content_type=kind)
        name = f"cases-{org.slug}-htcds.{ext}" if fmt.startswith("htcds") else f"cases-{org.slug}.{ext}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _partners(self, request):
        from threadline.cases.models import ReferralPartner

        return ReferralPartner.objects.filter(organisation=request.organisation).select_related("partner")

    def _partner(self, request):
        """The partner organisation named in the query, among this organisation's referral partners."""
        chosen = request.GET.get("partner")
        if not chosen or not chosen.isdigit():
            return None
        link = self._partners(request).filter(partner_id=int(chosen)).first()
        return link.partner if link else None

    def get_context_data(self, **kwargs):
        from threadline.cases.selectors import STATISTICS_COLUMNS

        partners = [link.partner for link in self._partners(self.request)]
        return super().get_context_data(columns=STATISTICS_COLUMNS, partners=partners, **kwargs)


class SettingsView(ScopedFormView):
    permission_required = "cases.change_casesettings"
    form_class = forms.CaseSettingsForm
    template_name = "cases/settings.html"
    success_message = _("Saved.")
    refusals = (ValidationError,)

    def get_initial(self):
        current = services.case_settings_for(organisation=self.request.organisation)
        return {"retention_days": current.retention_days, "reflection_days": current.reflection_days}

    def get_context_data(self, **kwargs):
        from threadline.accounts.models import Organisation
        from threadline.cases.models import ReferralPartner

        org = self.request.organisation
        partners = ReferralPartner.objects.restrict(self.request.user, "view", org).select_related("partner")
        others = (
            Organisation.objects.filter(is_active=True).exclude(pk=org.pk).exclude(pk__in=partners.values("partner_id"))
        )
        return super().get_context_data(
            partners=partners,
            partner_form=forms.PartnerForm(organisations=others),
            can_add_partner=has_perm(self.request.user, "cases.add_referralpartner", org),
            **kwargs,
        )

    def perform(self, data):
        services.case_settings_save(organisation=self.request.organisation, user=self.request.user, **data)

    def performed(self, result):
        return redirect("cases:settings")


class PartnerAddView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.add_referralpartner"
    form_class = forms.PartnerForm
    http_method_names = ["post"]

    def get_form_kwargs(self):
        from threadline.accounts.models import Organisation

        others = Organisation.objects.filter(is_active=True).exclude(pk=self.request.organisation.pk)
        return {**super().get_form_kwargs(), "organisations": others}

    def form_valid(self, form):
        services.referral_partner_add(
            organisation=self.request.organisation, user=self.request.user, partner=form.cleaned_data["partner"]
        )
        return redirect("cases:settings")

    def form_invalid(self, form):
        messages.error(self.request, _("Choose an organisation."))
        return redirect("cases:settings")


class PartnerRemoveView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.delete_referralpartner"
    form_class = forms.WithdrawForm
    http_method_names = ["post"]

    def form_valid(self, form):
        from threadline.cases.models import ReferralPartner

        qs = ReferralPartner.objects.restrict(self.request.user, "delete", self.request.organisation)
        services.referral_partner_remove(item=get_object_or_404(qs, pk=self.kwargs["pk"]), user=self.request.user)
        return redirect("cases:settings")
