"""Monitoring: a policy's indicators (entered by hand or recomputed from Threadline data), the reviews that are
due or missed, and the population figures rates are computed with."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from threadline.core.permissions import has_perm
from threadline.core.views import ScopedTemplateView
from threadline.policy import forms, selectors, services
from threadline.policy.models import Indicator, PopulationFigure
from threadline.policy.views.common import PolicyActionView, PolicyFormView, PolicyObjectMixin


class IndicatorCreateView(PolicyObjectMixin, PolicyFormView):
    permission_required = "policy.add_indicator"
    form_class = forms.IndicatorForm
    title = _("A new monitoring indicator")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["policy"] = self.policy
        return kwargs

    def perform(self, data):
        return services.indicator_create(policy=self.policy, user=self.request.user, **data)


class MonitoringView(ScopedTemplateView):
    permission_required = "policy.view_indicator"
    template_name = "policy/monitoring.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = selectors.monitoring_rows(user=self.request.user, organisation=self.request.organisation)
        ctx["rows"] = rows
        ctx["missed"] = sum(1 for r in rows if r.state == "missed")
        ctx["due"] = sum(1 for r in rows if r.state == "due")
        ctx["can_population"] = has_perm(self.request.user, "policy.add_populationfigure", self.request.organisation)
        return ctx


class IndicatorObjectMixin:
    """Loads the indicator from the current organisation's rows the user may act on (404 otherwise)."""

    indicator_action = "view"

    @cached_property
    def indicator(self) -> Indicator:
        return self.scoped_object(Indicator, self.indicator_action, select_related=("policy",), pk=self.kwargs["pk"])

    def get_success_url(self) -> str:
        return reverse("policy:indicator", args=[self.indicator.pk])


class IndicatorDetailView(IndicatorObjectMixin, ScopedTemplateView):
    permission_required = "policy.view_indicator"
    template_name = "policy/indicator_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, org = self.request.user, self.request.organisation
        ctx["indicator"] = self.indicator
        ctx["values"] = selectors.indicator_values(self.indicator)
        ctx["value_form"] = forms.IndicatorValueForm()
        ctx["can_add_value"] = has_perm(user, "policy.add_indicatorvalue", org)
        ctx["can_review"] = has_perm(user, "policy.change_indicator", org)
        return ctx


class IndicatorValueView(IndicatorObjectMixin, PolicyActionView):
    permission_required = "policy.add_indicatorvalue"

    def act(self, request, pk):
        form = forms.IndicatorValueForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Give a period and a number."))
        services.indicator_value_add(indicator=self.indicator, user=request.user, **form.cleaned_data)


class IndicatorRecomputeView(IndicatorObjectMixin, PolicyActionView):
    permission_required = "policy.add_indicatorvalue"
    success_message = _("Recomputed: a new value was added.")

    def act(self, request, pk):
        services.indicator_recompute(indicator=self.indicator, user=request.user)


class IndicatorReviewedView(IndicatorObjectMixin, PolicyActionView):
    permission_required = "policy.change_indicator"
    indicator_action = "change"
    success_message = _("Review recorded; the next one is scheduled.")

    def act(self, request, pk):
        services.indicator_reviewed(indicator=self.indicator, user=request.user)


class PopulationView(PolicyFormView):
    permission_required = "policy.add_populationfigure"
    form_class = forms.PopulationForm
    template_name = "policy/population.html"
    title = _("Population figures")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = self.scoped(PopulationFigure, "view")
        return ctx

    def perform(self, data):
        return services.population_save(organisation=self.request.organisation, user=self.request.user, **data)

    def get_success_url(self):
        return reverse("policy:population")
