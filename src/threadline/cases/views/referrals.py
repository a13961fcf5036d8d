"""Referrals and transfers: sending one from a case, and the referrals other organisations sent here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.audit.mixins import AuditReadMixin
from threadline.cases import forms, selectors, services
from threadline.cases.models import (
    Case,
    ChildView,
    IncomingReferral,
    Referral,
)
from threadline.cases.views.case import CaseFormView
from threadline.core.permissions import has_perm
from threadline.core.views import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
)


class ReferralCreateView(CaseFormView):
    permission_required = "cases.add_referral"
    form_class = forms.ReferralForm
    anchor = "referrals"
    title = gettext_lazy("Refer or transfer to another organisation")
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


class ReferralWithdrawView(ScopedActionView):
    permission_required = "cases.change_referral"

    def act(self, request, pk):
        self.referral = self.scoped_object(Referral, "change", pk=pk)
        form = forms.WithdrawForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.referral_withdraw(referral=self.referral, user=request.user, reason=form.cleaned_data["reason"])

    def get_redirect_url(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.referral.case_id}) + "#referrals"


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


class IncomingAnswerView(ScopedActionView):
    """Accept (a case opens here) or reject what another organisation referred."""

    permission_required = "cases.change_incomingreferral"

    def act(self, request, pk):
        form = forms.AnswerForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose accept or reject."))
        referral = self.scoped_object(IncomingReferral, "change", pk=pk)
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["decision"] == "accept":
            new_case = services.referral_accept(referral=referral, user=request.user, reason=reason)
            messages.success(request, _("Accepted. A case has been opened in your organisation."))
            return redirect("cases:detail", pk=new_case.pk)
        services.referral_reject(referral=referral, user=request.user, reason=reason)

    def get_redirect_url(self) -> str:
        return reverse("cases:incoming_detail", kwargs={"pk": self.kwargs["pk"]})
