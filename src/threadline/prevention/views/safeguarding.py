"""Safeguarding: concerns raised in sessions, their handling, and the organisation's protocol."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from threadline.audit.services import audit_object
from threadline.core.permissions import has_perm
from threadline.core.views import OrganisationPermissionMixin, ScopedListView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import (
    Concern,
    SafetyProtocol,
)
from threadline.prevention.views.plans import SessionDetailView

# -- safeguarding ---------------------------------------------------------------------------------------


class ConcernCreateView(OrganisationPermissionMixin, View):
    """One step from a session: what was raised, how urgent, a short encrypted note; the lead is told at once."""

    permission_required = "prevention.add_concern"

    def post(self, request, pk):
        delivery = get_object_or_404(selectors.sessions(user=request.user, organisation=request.organisation), pk=pk)
        curriculum = definitions.plan_curriculum(delivery.plan)
        form = forms.ConcernForm(request.POST, bands=curriculum.age_bands if curriculum else ())
        if not form.is_valid():
            view = SessionDetailView(request=request, kwargs={"pk": pk}, args=())
            return render(
                request, SessionDetailView.template_name, view.get_context_data(pk=pk, concern_form=form), status=400
            )
        services.concern_record(
            user=request.user, session=delivery, site=request.build_absolute_uri("/"), **form.cleaned_data
        )
        messages.success(request, _("The concern was sent to the designated lead. Thank you."))
        return redirect("prevention:session_detail", pk=pk)


class ConcernListView(ScopedListView):
    permission_required = "prevention.handle_concern"
    template_name = "prevention/concern_list.html"
    context_object_name = "concerns"

    def get_queryset(self):
        return selectors.concerns(user=self.request.user, organisation=self.request.organisation)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        return ctx


class ConcernObjectMixin(OrganisationPermissionMixin):
    @cached_property
    def concern(self) -> Concern:
        scoped = Concern.objects.restrict(self.request.user, self.queryset_action, self.request.organisation)
        return get_object_or_404(scoped.select_related("school", "session", "lead__user"), pk=self.kwargs["pk"])


class ConcernDetailView(ConcernObjectMixin, TemplateView):
    permission_required = "prevention.view_concern"
    template_name = "prevention/concern_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        audit_object("view", self.concern)
        org = self.request.organisation
        ctx.update(
            concern=self.concern,
            now=timezone.now(),
            can_handle=has_perm(self.request.user, "prevention.handle_concern", org),
            can_screen=has_perm(self.request.user, "screening.add_screening", org),
            close_form=forms.ConcernCloseForm(),
            protocol=SafetyProtocol.objects.filter(organisation=org).first(),
        )
        return ctx


class ConcernAcknowledgeView(ConcernObjectMixin, View):
    permission_required = "prevention.handle_concern"
    queryset_action = "change"

    def post(self, request, pk):
        services.concern_acknowledge(concern=self.concern, user=request.user)
        messages.success(request, _("Acknowledged."))
        return redirect("prevention:concern_detail", pk=pk)


class ConcernCloseView(ConcernObjectMixin, View):
    permission_required = "prevention.handle_concern"
    queryset_action = "change"

    def post(self, request, pk):
        try:
            services.concern_close(concern=self.concern, user=request.user, outcome=request.POST.get("outcome", ""))
        except services.PreventionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Marked as handled."))
        return redirect("prevention:concern_detail", pk=pk)


class ConcernOpenScreeningView(ConcernObjectMixin, View):
    """Into the screening area's own start page: the child's identity is recorded there, never here."""

    permission_required = "prevention.handle_concern"
    queryset_action = "change"

    def post(self, request, pk):
        if not has_perm(request.user, "screening.add_screening", request.organisation):
            messages.error(request, _("Your role cannot open a screening; ask a caseworker or supervisor."))
            return redirect("prevention:concern_detail", pk=pk)
        services.concern_open_screening(concern=self.concern, user=request.user)
        return redirect(f"{reverse('screening:start')}?instrument=ilo-2009-child-sexual")


class ProtocolView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.view_safetyprotocol"
    template_name = "prevention/protocol.html"
    form_class = forms.ProtocolForm

    @cached_property
    def protocol(self):
        return SafetyProtocol.objects.restrict(self.request.user, "view", self.request.organisation).first()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["memberships"] = selectors.members_to_choose(organisation=self.request.organisation)
        return kwargs

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
        ctx = super().get_context_data(**kwargs)
        ctx["protocol"] = self.protocol
        ctx["can_change"] = has_perm(self.request.user, "prevention.change_safetyprotocol", self.request.organisation)
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, "prevention.change_safetyprotocol", request.organisation):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.protocol_save(
                organisation=self.request.organisation,
                designated_lead=data["designated_lead"],
                steps=data["steps"].splitlines(),
                acknowledge_within_hours=data["acknowledge_within_hours"],
                close_within_hours=data["close_within_hours"],
                mandatory_reporting=data["mandatory_reporting"],
            )
        except services.PreventionError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Safety protocol saved."))
        return redirect("prevention:protocol")
