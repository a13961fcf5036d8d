"""The coordinator's dashboard, exports, the published summary, the public page and curriculum downloads."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from threadline.audit.services import audit_record
from threadline.core import charts
from threadline.core.views import OrganisationPermissionMixin
from threadline.prevention import forms, selectors, services
from threadline.prevention.models import (
    OrganisationCurriculum,
    PublishedSummary,
)
from threadline.prevention.views.base import PreventionView, _language

# -- dashboard, exports, public -------------------------------------------------------------------------


class DashboardView(PreventionView):
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
        ctx["summaries"] = PublishedSummary.objects.restrict(self.request.user, "view", self.request.organisation)[:5]
        return ctx


class ExportView(OrganisationPermissionMixin, View):
    """The HTYPE-shaped indicator sheet as CSV or Excel (suppressed figures are empty, flagged)."""

    permission_required = "prevention.summarise_programmeplan"

    def get(self, request, fmt):
        from django.http import Http404

        rows = selectors.htype_rows(organisation=request.organisation)
        audit_record(action="export", object_type="prevention.htype", object_id=fmt, note=f"{len(rows)} rows")
        name = f"htype-indicators-{timezone.localdate():%Y-%m-%d}"
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=selectors.HTYPE_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _csv_safe(v) for k, v in row.items()})
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        elif fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "HTYPE indicators"
            sheet.append(selectors.HTYPE_COLUMNS)
            for row in rows:
                sheet.append([_csv_safe(row[c]) for c in selectors.HTYPE_COLUMNS])
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(
                buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


def _csv_safe(value):
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class SummaryPublishView(OrganisationPermissionMixin, View):
    permission_required = "prevention.add_publishedsummary"

    def post(self, request):
        services.summary_publish(organisation=request.organisation, user=request.user)
        messages.success(request, _("Published: the public page now shows these suppressed figures."))
        return redirect("prevention:dashboard")


class PublicView(View):
    """Aggregate reach and outcomes that organisations published (suppressed when published; nothing else)."""

    def get(self, request):
        summaries = PublishedSummary.objects.filter(withdrawn_at__isnull=True).select_related("organisation")
        latest: dict[int, PublishedSummary] = {}
        for summary in summaries.order_by("-published_at"):
            latest.setdefault(summary.organisation_id, summary)
        return render(
            request,
            "prevention/public.html",
            {"summaries": list(latest.values()), "sex_labels": dict(forms.SEX_COLUMNS)},
        )


class CurriculumDownloadView(OrganisationPermissionMixin, View):
    permission_required = "prevention.view_organisationcurriculum"

    def get(self, request, pk):
        import json

        upload = get_object_or_404(
            OrganisationCurriculum.objects.restrict(request.user, "view", request.organisation), pk=pk
        )
        response = HttpResponse(
            json.dumps(upload.content, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{upload.curriculum_id}-{upload.version}.json"'
        return response
