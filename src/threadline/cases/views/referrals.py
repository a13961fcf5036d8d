"""Referrals and transfers: sending one from a case, and the referrals other organisations sent here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from threadline.accounts.permissions import has_perm
from threadline.audit.mixins import AuditReadMixin
from threadline.cases import forms, selectors, services
from threadline.cases.models import (
    Case,
    ChildView,
    IncomingReferral,
    Referral,
)
from threadline.cases.views.case import CaseFormView
from threadline.core.errors import show_errors
from threadline.core.views import (
    OrganisationPermissionMixin,
    ScopedDetailView,
    ScopedListView,
)


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
