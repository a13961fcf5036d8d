"""The case list, the due-and-overdue board, opening a case and the case page; the base of the pages that
act on one case."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.audit.mixins import AuditReadMixin
from threadline.audit.services import audit_object
from threadline.cases import forms, selectors, services
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Approval,
    Case,
    ChildView,
    PlanTask,
    Referral,
    Service,
)
from threadline.cases.pagination import CappedPaginator
from threadline.core.permissions import has_perm
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
    success_message = gettext_lazy("Case opened. The recovery and reflection period has started.")

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


def views_beside(case: Case, topic: str) -> list[ChildView]:
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
        beside = views_beside(self.case, getattr(self, "views_topic", "general"))
        ctx.update(case=self.case, title=self.title, beside=beside)
        return ctx

    def done(self, anchor: str = ""):
        return redirect(reverse("cases:detail", kwargs={"pk": self.case.pk}) + (f"#{anchor}" if anchor else ""))


class CaseFormView(CaseObjectMixin, ScopedFormView):
    """Validate, call one service, go back to the case. Service refusals (consent, rules) show on the form."""

    template_name = "cases/form.html"
    success_message = gettext_lazy("Saved.")
    anchor = ""
    title = ""

    def performed(self, result):
        return self.done(self.anchor)
