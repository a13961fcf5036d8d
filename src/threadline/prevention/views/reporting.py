"""The coordinator's dashboard, exports, the published summary, the public page and curriculum downloads."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from threadline.audit.services import audit_record
from threadline.core import charts
from threadline.core.views import ScopedActionView, ScopedDownloadView, ScopedTemplateView, attachment
from threadline.prevention import exports, forms, selectors, services
from threadline.prevention.models import OrganisationCurriculum, PublishedSummary
from threadline.prevention.views.base import PermsMixin, _language

# -- dashboard, exports, public -------------------------------------------------------------------------


class DashboardView(PermsMixin, ScopedTemplateView):
    permission_required = "prevention.summarise_programmeplan"
    template_name = "prevention/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        data = selectors.dashboard(organisation=self.request.organisation, language=_language())
        ctx.update(data)
        ctx["module_chart"] = charts.bar_chart(
            [(m["title"], m["sessions"]) for m in data["modules"]], title=str(_("Sessions per module"))
        )
        ctx["sex_labels"] = dict(forms.SEX_COLUMNS)
        for outcome in data["outcomes"]:
            for row in outcome["sex"]:
                row["label"] = ctx["sex_labels"].get(row["category"], row["category"])
        ctx["can_publish"] = self.perm("prevention.add_publishedsummary")
        ctx["summaries"] = self.scoped(PublishedSummary)[:5]
        return ctx


class ExportView(ScopedDownloadView):
    """The HTYPE-shaped indicator sheet as CSV or Excel (suppressed figures are empty, flagged)."""

    permission_required = "prevention.summarise_programmeplan"

    def download(self, request, fmt):
        rows = selectors.htype_rows(organisation=request.organisation)
        # Audited before the format is checked, as it always was: an unknown format is a 404 after the record.
        audit_record(action="export", object_type="prevention.htype", object_id=fmt, note=f"{len(rows)} rows")
        if fmt not in exports.HTYPE_FORMATS:
            raise Http404
        body, content_type = exports.htype_file(rows, fmt)
        return attachment(body, content_type, f"htype-indicators-{timezone.localdate():%Y-%m-%d}.{fmt}")


class SummaryPublishView(ScopedActionView):
    permission_required = "prevention.add_publishedsummary"
    success_message = _("Published: the public page now shows these suppressed figures.")

    def act(self, request):
        services.summary_publish(organisation=request.organisation, user=request.user)

    def get_redirect_url(self) -> str:
        return reverse("prevention:dashboard")


class PublicView(View):
    """Public (no sign-in): the aggregate reach and outcomes that organisations published, suppressed when
    published; nothing else."""

    def get(self, request):
        return render(
            request,
            "prevention/public.html",
            {"summaries": selectors.published_summaries(), "sex_labels": dict(forms.SEX_COLUMNS)},
        )


class CurriculumDownloadView(ScopedDownloadView):
    permission_required = "prevention.view_organisationcurriculum"

    def download(self, request, pk):
        upload = self.scoped_object(OrganisationCurriculum, pk=pk)
        return attachment(
            exports.curriculum_json(upload.content),
            "application/json; charset=utf-8",
            f"{upload.curriculum_id}-{upload.version}.json",
        )
