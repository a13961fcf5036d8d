"""Safeguarding: concerns raised in sessions, their handling, and the organisation's protocol."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditReadMixin
from threadline.core.views import ScopedActionView, ScopedDetailView, ScopedListView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import Concern, SafetyProtocol
from threadline.prevention.views.base import PermsMixin, PreventionFormView
from threadline.prevention.views.plans import SessionDetailView, SessionPageMixin

# -- safeguarding ---------------------------------------------------------------------------------------


class ConcernCreateView(SessionPageMixin, PreventionFormView):
    """One step from a session: what was raised, how urgent, a short encrypted note; the lead is told at once.
    The form is on the session's page, which is shown again (400) when it is incomplete."""

    permission_required = "prevention.add_concern"
    http_method_names = ["post"]
    template_name = SessionDetailView.template_name
    form_class = forms.ConcernForm
    success_message = _("The concern was sent to the designated lead. Thank you.")

    @cached_property
    def delivery(self):
        scoped = selectors.sessions(user=self.request.user, organisation=self.request.organisation)
        return get_object_or_404(scoped, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        curriculum = definitions.plan_curriculum(self.delivery.plan)
        return {**super().get_form_kwargs(), "bands": curriculum.age_bands if curriculum else ()}

    def form_invalid(self, form):
        return self.render_to_response({"view": self, **self.session_page(self.delivery, form)}, status=400)

    def perform(self, data):
        return services.concern_record(
            user=self.request.user, session=self.delivery, site=self.request.build_absolute_uri("/"), **data
        )

    def get_success_url(self):
        return reverse("prevention:session_detail", kwargs={"pk": self.delivery.pk})


class ConcernListView(ScopedListView):
    permission_required = "prevention.handle_concern"
    template_name = "prevention/concern_list.html"
    context_object_name = "concerns"

    def get_queryset(self):
        return selectors.concerns(user=self.request.user, organisation=self.request.organisation)

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class ConcernDetailView(PermsMixin, AuditReadMixin, ScopedDetailView):
    """A concern is sensitive: every read is audited."""

    model = Concern
    permission_required = "prevention.view_concern"
    template_name = "prevention/concern_detail.html"
    context_object_name = "concern"

    def get_queryset(self):
        return super().get_queryset().select_related("school", "session", "lead__user")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            now=timezone.now(),
            can_handle=self.perm("prevention.handle_concern"),
            can_screen=self.perm("screening.add_screening"),
            close_form=forms.ConcernCloseForm(),
            protocol=selectors.safety_protocol(organisation=self.request.organisation),
            **kwargs,
        )


class ConcernActionView(PermsMixin, ScopedActionView):
    """Handling a concern the user may change; back to the concern's page."""

    permission_required = "prevention.handle_concern"
    queryset_action = "change"
    refusals = (services.PreventionError, PermissionDenied)

    @cached_property
    def concern(self) -> Concern:
        return self.scoped_object(Concern, select_related=["school", "session", "lead__user"], pk=self.kwargs["pk"])

    def get_redirect_url(self) -> str:
        return reverse("prevention:concern_detail", kwargs={"pk": self.kwargs["pk"]})


class ConcernAcknowledgeView(ConcernActionView):
    success_message = _("Acknowledged.")

    def act(self, request, pk):
        services.concern_acknowledge(concern=self.concern, user=request.user)


class ConcernCloseView(ConcernActionView):
    success_message = _("Marked as handled.")

    def act(self, request, pk):
        services.concern_close(concern=self.concern, user=request.user, outcome=request.POST.get("outcome", ""))


class ConcernOpenScreeningView(ConcernActionView):
    """Into the screening area's own start page: the child's identity is recorded there, never here."""

    def act(self, request, pk):
        if not self.perm("screening.add_screening"):  # checked before the concern is looked up, as it always was
            raise PermissionDenied(_("Your role cannot open a screening; ask a caseworker or supervisor."))
        services.concern_open_screening(concern=self.concern, user=request.user)
        return redirect(f"{reverse('screening:start')}?instrument=ilo-2009-child-sexual")


class ProtocolView(PreventionFormView):
    permission_required = "prevention.view_safetyprotocol"
    submit_permission_required = "prevention.change_safetyprotocol"
    template_name = "prevention/protocol.html"
    form_class = forms.ProtocolForm
    success_message = _("Safety protocol saved.")

    @cached_property
    def protocol(self) -> SafetyProtocol | None:
        return self.scoped(SafetyProtocol).first()

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "memberships": selectors.members_to_choose(organisation=self.request.organisation),
        }

    def get_initial(self):
        p = self.protocol
        if p is None:
            return {"acknowledge_within_hours": 4, "close_within_hours": 72}
        return {
            "designated_lead": p.designated_lead,
            "steps": "\n".join(p.steps),
            "acknowledge_within_hours": p.acknowledge_within_hours,
            "close_within_hours": p.close_within_hours,
            "mandatory_reporting": p.mandatory_reporting,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            protocol=self.protocol, can_change=self.perm("prevention.change_safetyprotocol"), **kwargs
        )

    def perform(self, data):
        return services.protocol_save(
            organisation=self.request.organisation,
            designated_lead=data["designated_lead"],
            steps=data["steps"].splitlines(),
            acknowledge_within_hours=data["acknowledge_within_hours"],
            close_within_hours=data["close_within_hours"],
            mandatory_reporting=data["mandatory_reporting"],
        )

    def get_success_url(self):
        return reverse("prevention:protocol")
