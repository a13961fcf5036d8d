"""Policies and programmes: the list, a new one, its page, and what starts from it (an assessment, a result of
its results chain)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from threadline.core.permissions import has_perm
from threadline.core.views import ScopedDetailView, ScopedListView
from threadline.policy import forms, selectors, services
from threadline.policy.models import Policy
from threadline.policy.views.common import PolicyActionView, PolicyFormView, PolicyObjectMixin, page_language


class PolicyListView(ScopedListView):
    model = Policy
    permission_required = "policy.view_policy"
    template_name = "policy/policy_list.html"
    context_object_name = "policies"

    def get_queryset(self):
        return selectors.policy_list(
            user=self.request.user, organisation=self.request.organisation, query=self.request.GET.get("q", "")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = has_perm(self.request.user, "policy.add_policy", self.request.organisation)
        ctx["q"] = self.request.GET.get("q", "")
        return ctx


class PolicyCreateView(PolicyFormView):
    permission_required = "policy.add_policy"
    form_class = forms.PolicyForm
    title = _("A new policy or programme")

    def perform(self, data):
        return services.policy_create(organisation=self.request.organisation, user=self.request.user, **data)

    def performed(self, policy):
        return redirect("policy:detail", pk=policy.pk)

    def get_success_url(self):
        return reverse("policy:list")


class PolicyDetailView(ScopedDetailView):
    model = Policy
    permission_required = "policy.view_policy"
    template_name = "policy/policy_detail.html"
    context_object_name = "policy"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, org = self.request.user, self.request.organisation
        ctx.update(
            selectors.policy_parts(self.object),
            templates=selectors.template_choices(page_language()),
            result_form=forms.ResultForm(),
            can_assess=has_perm(user, "policy.add_assessment", org),
            can_add_result=has_perm(user, "policy.add_resultschainitem", org),
            can_add_indicator=has_perm(user, "policy.add_indicator", org),
        )
        return ctx


class AssessmentStartView(PolicyObjectMixin, PolicyActionView):
    """Starts an assessment from the chosen template and opens its first stage."""

    permission_required = "policy.add_assessment"

    def act(self, request, pk):
        assessment = services.assessment_start(
            policy=self.policy, user=request.user, template_id=request.POST.get("template", "")
        )
        return redirect("policy:stage", pk=assessment.pk, stage="screening")


class ResultAddView(PolicyObjectMixin, PolicyActionView):
    permission_required = "policy.add_resultschainitem"

    def act(self, request, pk):
        form = forms.ResultForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a level and describe the result."))
        services.results_item_add(policy=self.policy, user=request.user, **form.cleaned_data)
