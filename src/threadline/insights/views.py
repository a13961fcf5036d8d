"""Insights pages: thin views over services and selectors. Every figure shown or downloaded is protected."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from threadline.core.charts import render_png, render_public_svg, render_svg
from threadline.core.views import OrganisationPermissionMixin, ScopedDetailView
from threadline.insights import selectors, services
from threadline.insights.dashboards import (
    CHARTS_BY_SLUG,
    CHILD,
    FILTER_LABELS,
    GENDER,
    SECTIONS,
    YEAR,
    ChartData,
    Point,
    chart_data,
    charts_in,
)
from threadline.insights.exports import chart_csv, pdf_report, workbook
from threadline.insights.forms import LinkForm, MappingForm, ReleaseForm, SyntheticForm, UploadForm
from threadline.insights.models import ImportFormat, ImportJob, Method, Release, SyntheticRelease
from threadline.insights.protection import Figures, budget_status, field_label, release_fields, value_label
from threadline.insights.stores import CHART_EPSILON, DEFAULT_K, DP_YEARS


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class IndexView(OrganisationPermissionMixin, TemplateView):
    permission_required = "insights.view_dashboard"
    template_name = "insights/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self.request.organisation
        ctx["overview"] = selectors.store_overview(organisation=org)
        ctx["link_report"] = selectors.linkage_report(organisation=org)
        ctx["coverage"] = selectors.linkage_coverage(organisation=org)
        ctx["budget"] = budget_status(org)
        ctx["sections"] = SECTIONS
        return ctx


# --- imports ------------------------------------------------------------------------------------------------
class ImportsView(OrganisationPermissionMixin, View):
    permission_required = "insights.add_importjob"
    template_name = "insights/imports.html"

    def _render(self, request, form, status=200):
        jobs = ImportJob.objects.restrict(request.user, "view", request.organisation)[:50]
        ctx = {"form": form, "jobs": jobs, "own_cases": services.own_cases_available()}
        return render(request, self.template_name, ctx, status=status)

    def get(self, request):
        return self._render(request, UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_upload(
                    organisation=request.organisation,
                    user=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    fmt=form.cleaned_data["format"],
                    source=form.cleaned_data["source"],
                    strict=form.cleaned_data["strict"],
                )
            except ValidationError as exc:
                form.add_error("file", _error_text(exc))
            else:
                return redirect("insights:import_detail", pk=job.pk)
        return self._render(request, form, status=200)


class ImportDetailView(ScopedDetailView):
    model = ImportJob
    permission_required = "insights.view_importjob"
    template_name = "insights/import_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        job = self.object
        if job.format == ImportFormat.HTCDS and job.status not in (
            ImportJob.Status.IMPORTED,
            ImportJob.Status.IMPORTING,
            ImportJob.Status.CANCELLED,
        ):
            ctx["mapping_form"] = kwargs.get("mapping_form") or MappingForm(
                header=job.header, mapping=job.mapping, targets=services.mapping_targets()
            )
        ctx["recognised"] = set(job.report.get("recognised", [])) if job.status == ImportJob.Status.UPLOADED else set()
        return ctx


class _JobActionView(OrganisationPermissionMixin, View):
    permission_required = "insights.change_importjob"

    def job(self, request, pk) -> ImportJob:
        return get_object_or_404(ImportJob.objects.restrict(request.user, "change", request.organisation), pk=pk)


class ImportMappingView(_JobActionView):
    def post(self, request, pk):
        job = self.job(request, pk)
        if job.status not in services.VALIDATABLE:
            return redirect("insights:import_detail", pk=job.pk)
        form = MappingForm(request.POST, header=job.header, mapping=job.mapping, targets=services.mapping_targets())
        if form.is_valid():
            services.import_set_mapping(job=job, mapping=form.mapping())
        return redirect("insights:import_detail", pk=job.pk)


class ImportRunView(_JobActionView):
    def post(self, request, pk):
        job = self.job(request, pk)
        try:
            services.import_start(job=job, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("insights:import_detail", pk=job.pk)


class ImportWithdrawView(_JobActionView):
    def post(self, request, pk):
        job = self.job(request, pk)
        try:
            services.import_withdraw(job=job, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, _("The import was withdrawn: its records are no longer counted. Run linkage again.")
            )
        return redirect("insights:import_detail", pk=job.pk)


class ImportCancelView(_JobActionView):
    def post(self, request, pk):
        job = self.job(request, pk)
        try:
            services.import_cancel(job=job)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("insights:import_detail", pk=job.pk)


class ImportRejectsView(OrganisationPermissionMixin, View):
    """The rows an import would quarantine, as CSV, while the upload is kept (before accept or cancel)."""

    permission_required = "insights.view_importjob"

    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.restrict(request.user, "view", request.organisation), pk=pk)
        try:
            data = services.import_rejects_csv(job=job)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("insights:import_detail", pk=job.pk)
        services.export_audit(what=f"quarantined rows of import {job.pk}", fmt="csv")
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rejects.csv"'
        return response


class OwnCasesImportView(OrganisationPermissionMixin, View):
    permission_required = "insights.add_importjob"

    def post(self, request):
        try:
            job = services.own_cases_import(organisation=request.organisation, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("insights:imports")
        return redirect("insights:import_detail", pk=job.pk)


# --- linkage ------------------------------------------------------------------------------------------------
class LinkageView(OrganisationPermissionMixin, View):
    permission_required = "insights.add_linkagerun"
    template_name = "insights/linkage.html"

    def _render(self, request, form):
        org = request.organisation
        ctx = {
            "form": form,
            "run": selectors.linkage_latest(user=request.user, organisation=org),
            "report": selectors.linkage_report(organisation=org),
            "overview": selectors.store_overview(organisation=org),
        }
        return render(request, self.template_name, ctx)

    def get(self, request):
        return self._render(request, LinkForm())

    def post(self, request):
        form = LinkForm(request.POST)
        if form.is_valid():
            services.linkage_start(
                organisation=request.organisation, user=request.user, threshold=form.cleaned_data["threshold"]
            )
            return redirect("insights:linkage")
        return self._render(request, form)


# --- dashboards ---------------------------------------------------------------------------------------------
def _filters(request) -> dict[str, str]:
    years = {str(y) for y in DP_YEARS}
    year = request.GET.get("year", "")
    gender = request.GET.get("gender", "")
    child = request.GET.get("child", "")
    return {
        YEAR: year if year in years else "",
        GENDER: gender if gender in {"Female", "Male", "Transgender/NonConforming"} else "",
        CHILD: child if child in {"Minor", "Adult"} else "",
    }


def _method(request) -> str:
    return Method.DP if request.GET.get("method") == Method.DP else Method.SUPPRESSION


def _protection_text(method: str) -> str:
    if method == Method.DP:
        return _(
            # xgettext:no-python-format
            "Differentially private counts (OpenDP): each chart spends epsilon {e:g} of this dataset's budget once "
            "per version of the data; ± gives the half-width of a 95 % interval around the true count."
        ).format(e=CHART_EPSILON)
    return _(
        "Cells below k={k} are suppressed, with complementary suppression so that totals cannot reveal them."
    ).format(k=DEFAULT_K)


def _section_charts(request, section: str, method: str, filters: dict[str, str]):
    out = []
    if not selectors.store_overview(organisation=request.organisation)["batches"]:
        return out
    for chart in charts_in(section):
        tables = services.dashboard_tables(organisation=request.organisation, chart=chart, method=method)
        out.append(chart_data(chart, tables, filters))
    return out


class DashboardView(OrganisationPermissionMixin, TemplateView):
    permission_required = "insights.view_dashboard"
    template_name = "insights/dashboard.html"

    def get_context_data(self, section, **kwargs):
        if section not in SECTIONS:
            raise Http404
        ctx = super().get_context_data(**kwargs)
        method = _method(self.request)
        filters = _filters(self.request)
        charts = _section_charts(self.request, section, method, filters)
        years = services.dashboard_years(organisation=self.request.organisation)
        if filters[YEAR] and filters[YEAR] not in years:
            years = sorted({*years, filters[YEAR]})  # a year chosen by link stays visible in the filter
        ctx.update(
            section=section,
            section_title=SECTIONS[section],
            sections=SECTIONS,
            method=method,
            filters=filters,
            query=self.request.GET.urlencode(),
            charts=[(data, render_svg(data)) for data in charts],
            protection=_protection_text(method),
            budget=budget_status(self.request.organisation) if method == Method.DP else None,
            years=years,
            filter_labels=FILTER_LABELS,
            has_data=bool(selectors.store_overview(organisation=self.request.organisation)["batches"]),
        )
        return ctx


class ChartDownloadView(OrganisationPermissionMixin, View):
    permission_required = "insights.export_dashboard"

    def get(self, request, slug, fmt):
        chart = CHARTS_BY_SLUG.get(slug)
        if chart is None or fmt not in {"csv", "xlsx", "svg", "png"}:
            raise Http404
        method = _method(request)
        tables = services.dashboard_tables(organisation=request.organisation, chart=chart, method=method)
        data = chart_data(chart, tables, _filters(request))
        services.export_audit(what=f"chart {slug} ({method})", fmt=fmt)
        name = f"threadline-{slug}"
        if fmt == "csv":
            response = HttpResponse(chart_csv(data), content_type="text/csv; charset=utf-8")
        elif fmt == "svg":
            response = HttpResponse(render_svg(data, standalone=True), content_type="image/svg+xml")
        elif fmt == "png":
            response = HttpResponse(render_png(data), content_type="image/png")
        else:
            body = workbook([data], title=data.title, protection=_protection_text(method))
            response = HttpResponse(
                body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


class SectionReportView(OrganisationPermissionMixin, View):
    permission_required = "insights.export_dashboard"

    def get(self, request, section, fmt):
        if section not in SECTIONS or fmt not in {"pdf", "xlsx"}:
            raise Http404
        method = _method(request)
        charts = _section_charts(request, section, method, _filters(request))
        title = _("Threadline insights: {section}").format(section=SECTIONS[section])
        services.export_audit(what=f"report {section} ({method})", fmt=fmt)
        if fmt == "pdf":
            body = pdf_report(
                charts, title=title, organisation=request.organisation.name, protection=_protection_text(method)
            )
            response = HttpResponse(body, content_type="application/pdf")
        else:
            body = workbook(charts, title=title, protection=_protection_text(method))
            response = HttpResponse(
                body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="threadline-{section}.{fmt}"'
        return response


# --- releases -----------------------------------------------------------------------------------------------
def _field_choices() -> list[tuple[str, str]]:
    return [(f, f"{field_label(f)} ({f})") for f in release_fields()]


def release_view_rows(release: Release) -> dict:
    """What a release page shows: the protected figures as a table, and a chart of the first field."""
    figures = Figures.from_payload(release.table)
    rows = [{f: (value_label(f, v) if f in figures.by else v) for f, v in row.items()} for row in figures.rows()]
    first = figures.by[0]
    chart = ""
    second = figures.categories.get(figures.by[1], []) if len(figures.by) > 1 else []
    if 1 < len(second) <= 5:
        # Grouped bars: the first field's categories, one bar per category of the second field.
        rest = (None,) * (len(figures.by) - 2)
        data = ChartData(
            f"release-{release.pk}",
            release.title,
            "",
            [value_label(figures.by[1], c2) for c2 in second],
            [
                (
                    value_label(first, c1),
                    [Point(*_float(figures.cells.get((c1, c2, *rest), (None, None)))) for c2 in second],
                )
                for c1 in figures.categories.get(first, [])[:30]
            ],
            chart_columns=list(range(len(second))),
        )
        chart = render_svg(data)
    else:
        margin = []
        for key, (value, _acc) in figures.cells.items():
            if key[0] is not None and all(v is None for v in key[1:]):
                margin.append((value_label(first, key[0]), value))
        chart = render_public_svg(field_label(first), f"release-{release.pk}", margin[:30]) if margin else ""
    coverage = release.table.get("coverage", {})
    return {
        "figures": figures,
        "rows": rows,
        "labels": [field_label(f) for f in figures.by],
        "chart": chart,
        "unlinked": int(coverage.get("unlinked", 0)),
        "coverage_records": int(coverage.get("records", 0)),
    }


def _float(cell: tuple[int | None, float | None]) -> tuple[float | None, float | None]:
    value, acc = cell
    return (None if value is None else float(value), acc)


class ReleasesView(OrganisationPermissionMixin, View):
    permission_required = "insights.add_release"
    template_name = "insights/releases.html"

    def _render(self, request, form, synthetic_form=None):
        org = request.organisation
        releases = Release.objects.restrict(request.user, "view", org)
        ctx = {
            "form": form,
            "releases": releases,
            "synthetic_form": synthetic_form or SyntheticForm(releases=releases),
            "synthetic": SyntheticRelease.objects.restrict(request.user, "view", org),
            "budget": budget_status(org),
        }
        return render(request, self.template_name, ctx)

    def get(self, request):
        return self._render(request, ReleaseForm(field_choices=_field_choices()))

    def post(self, request):
        form = ReleaseForm(request.POST, field_choices=_field_choices())
        if form.is_valid():
            data = form.cleaned_data
            try:
                release = services.release_create(
                    organisation=request.organisation,
                    user=request.user,
                    title=data["title"],
                    fields=data["group_by"],
                    method=data["method"],
                    k=data.get("k"),
                    epsilon=data.get("epsilon"),
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                return redirect("insights:release", pk=release.pk)
        return self._render(request, form)


class ReleaseDetailView(ScopedDetailView):
    model = Release
    permission_required = "insights.view_release"
    template_name = "insights/release_detail.html"
    context_object_name = "release"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(release_view_rows(self.object))
        return ctx


class ReleasePublishView(OrganisationPermissionMixin, View):
    permission_required = "insights.change_release"

    def post(self, request, pk):
        release = get_object_or_404(Release.objects.restrict(request.user, "change", request.organisation), pk=pk)
        try:
            services.release_publish(
                release=release,
                published=request.POST.get("publish") == "1",
                unlinked_acknowledged=request.POST.get("unlinked_acknowledged") == "1",
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("insights:release", pk=release.pk)


def _release_csv_response(release: Release) -> HttpResponse:
    import io

    from threadline.engines import csvsafe

    figures = Figures.from_payload(release.table)
    buffer = io.StringIO()
    writer = csvsafe.dict_writer(
        buffer, fieldnames=[*figures.by, "count", "status", "accuracy", "confidence"], lineterminator="\n"
    )
    writer.writeheader()
    for row in figures.rows():
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="threadline-release-{release.pk}.csv"'
    return response


class ReleaseCsvView(OrganisationPermissionMixin, View):
    permission_required = "insights.view_release"

    def get(self, request, pk):
        release = get_object_or_404(Release.objects.restrict(request.user, "view", request.organisation), pk=pk)
        services.export_audit(what=f"release {release.pk}", fmt="csv")
        return _release_csv_response(release)


class SyntheticCreateView(OrganisationPermissionMixin, View):
    permission_required = "insights.add_syntheticrelease"

    def post(self, request):
        releases = Release.objects.restrict(request.user, "view", request.organisation)
        form = SyntheticForm(request.POST, releases=releases)
        if form.is_valid():
            try:
                item = services.synthetic_create(
                    organisation=request.organisation,
                    user=request.user,
                    releases=list(form.cleaned_data["releases"]),
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                return redirect("insights:synthetic", pk=item.pk)
        else:
            messages.error(request, _("Give a title and choose at least one release."))
        return redirect("insights:releases")


class SyntheticDetailView(ScopedDetailView):
    model = SyntheticRelease
    permission_required = "insights.view_syntheticrelease"
    template_name = "insights/synthetic_detail.html"
    context_object_name = "item"


class SyntheticPublishView(OrganisationPermissionMixin, View):
    permission_required = "insights.change_syntheticrelease"

    def post(self, request, pk):
        item = get_object_or_404(SyntheticRelease.objects.restrict(request.user, "change", request.organisation), pk=pk)
        try:
            services.synthetic_publish(item=item, published=request.POST.get("publish") == "1")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("insights:synthetic", pk=item.pk)


def _synthetic_csv_response(item: SyntheticRelease) -> HttpResponse:
    response = HttpResponse(item.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="threadline-synthetic-{item.pk}.csv"'
    return response


class SyntheticCsvView(OrganisationPermissionMixin, View):
    permission_required = "insights.view_syntheticrelease"

    def get(self, request, pk):
        item = get_object_or_404(SyntheticRelease.objects.restrict(request.user, "view", request.organisation), pk=pk)
        services.export_audit(what=f"synthetic {item.pk}", fmt="csv")
        return _synthetic_csv_response(item)


# --- public -------------------------------------------------------------------------------------------------
class PublicView(View):
    """No sign-in: only published, protected aggregates and published synthetic microdata."""

    def get(self, request):
        releases = [(r, release_view_rows(r)) for r in selectors.public_releases()]
        ctx = {"releases": releases, "synthetic": selectors.public_synthetic()}
        return render(request, "insights/public.html", ctx)


class PublicReleaseCsvView(View):
    def get(self, request, pk):
        return _release_csv_response(get_object_or_404(selectors.public_releases(), pk=pk))


class PublicSyntheticCsvView(View):
    def get(self, request, pk):
        return _synthetic_csv_response(get_object_or_404(selectors.public_synthetic(), pk=pk))
