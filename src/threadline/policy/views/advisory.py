"""The survivor advisory, inside: service quality in aggregate only (each share resting on at least 11 answers),
and the submissions for the policy team, each read audited. The form survivors fill in is public
(``policy/public.py``)."""

from __future__ import annotations

from django.urls import reverse

from threadline.audit.services import audit_object
from threadline.core.views import ScopedDetailView, ScopedListView, ScopedTemplateView
from threadline.policy import selectors
from threadline.policy.models import AdvisorySubmission


class ServiceQualityView(ScopedTemplateView):
    """Aggregates only: shares per service, each resting on at least 11 answers, small groups hidden."""

    permission_required = "policy.summarise_advisorysubmission"
    template_name = "policy/service_quality.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.service_quality_rows(organisation=self.request.organisation)
        ctx["dimensions"] = selectors.dimension_labels()
        ctx["link"] = self.request.build_absolute_uri(reverse("rights:advisory", args=[self.request.organisation.slug]))
        return ctx


class AdvisoryListView(ScopedListView):
    model = AdvisorySubmission
    permission_required = "policy.view_advisorysubmission"
    template_name = "policy/advisory_list.html"
    context_object_name = "submissions"


class AdvisoryDetailView(ScopedDetailView):
    model = AdvisorySubmission
    permission_required = "policy.view_advisorysubmission"
    template_name = "policy/advisory_detail.html"
    context_object_name = "submission"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        audit_object("view", obj)
        return obj
