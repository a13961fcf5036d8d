"""Insights pages, on the shared scoped views of ``core.views`` (files on ``ScopedDownloadView``): services write,
selectors read, and a refusal is shown through ``core.errors``. Every figure shown or downloaded is protected."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from threadline.core.charts import render_png, render_svg
from threadline.core.errors import error_text, show_errors
from threadline.core.views import (
    ScopedActionView,
    ScopedDetailView,
    ScopedDownloadView,
    ScopedFormView,
    ScopedTemplateView,
    attachment,
)
from threadline.insights import selectors, services
from threadline.insights.dashboards import (
    CHARTS_BY_SLUG,
    FILTER_LABELS,
    SECTIONS,
    YEAR,
    chart_data,
    filters_from,
    method_from,
    protection_text,
)
from threadline.insights.exports import chart_csv, pdf_report, release_csv, workbook
from threadline.insights.forms import LinkForm, MappingForm, ReleaseForm, SyntheticForm, UploadForm
from threadline.insights.models import ImportFormat, ImportJob, Method, Release, SyntheticRelease
from threadline.insights.protection import budget_status, field_label, release_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IndexView(ScopedTemplateView):
    permission_required = "insights.view_dashboard"
    template_name = "insights/index.html"

    def get_context_data(self, **kwargs):
        org = self.request.organisation
        return super().get_context_data(
            overview=selectors.store_overview(organisation=org),
            link_report=selectors.linkage_report(organisation=org),
            coverage=selectors.linkage_coverage(organisation=org),
            budget=budget_status(org),
            sections=SECTIONS,
            **kwargs,
        )


# --- imports ------------------------------------------------------------------------------------------------
class ImportsView(ScopedFormView):
    permission_required = "insights.add_importjob"
    template_name = "insights/imports.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs):
        jobs = self.scoped(ImportJob)[:50]
        return super().get_context_data(jobs=jobs, own_cases=services.own_cases_available(), **kwargs)

    def perform(self, data):
        try:
            return services.import_upload(
                organisation=self.request.organisation,
                user=self.request.user,
                uploaded_file=data["file"],
                fmt=data["format"],
                source=data["source"],
                strict=data["strict"],
            )
        except ValidationError as exc:
            raise ValidationError({"file": error_text(exc)}) from exc  # every refusal concerns the file

    def performed(self, job):
        return redirect("insights:import_detail", pk=job.pk)


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


class JobActionView(ScopedActionView):
    """A POST on an import the user may change, that goes back to the import's page."""

    permission_required = "insights.change_importjob"
    queryset_action = "change"

    @cached_property
    def job(self) -> ImportJob:
        return self.scoped_object(ImportJob, "change", pk=self.kwargs["pk"])

    def get_redirect_url(self) -> str:
        return reverse("insights:import_detail", kwargs={"pk": self.job.pk})


class ImportMappingView(JobActionView):
    def act(self, request, pk):
        job = self.job
        if job.status not in services.VALIDATABLE:
            return None
        form = MappingForm(request.POST, header=job.header, mapping=job.mapping, targets=services.mapping_targets())
        if form.is_valid():
            services.import_set_mapping(job=job, mapping=form.mapping())
        return None


class ImportRunView(JobActionView):
    def act(self, request, pk):
        services.import_start(job=self.job, user=request.user)


class ImportWithdrawView(JobActionView):
    success_message = gettext_lazy("The import was withdrawn: its records are no longer counted. Run linkage again.")

    def act(self, request, pk):
        services.import_withdraw(job=self.job, user=request.user)


class ImportCancelView(JobActionView):
    def act(self, request, pk):
        services.import_cancel(job=self.job)


class ImportRejectsView(ScopedDownloadView):
    """The rows an import would quarantine, as CSV, while the upload is kept (before accept or cancel)."""

    permission_required = "insights.view_importjob"

    def download(self, request, pk):
        job = self.scoped_object(ImportJob, pk=pk)
        try:
            data = services.import_rejects_csv(job=job)
        except ValidationError as exc:
            show_errors(request, exc)
            return redirect("insights:import_detail", pk=job.pk)
        services.export_audit(what=f"quarantined rows of import {job.pk}", fmt="csv")
        return attachment(data, "text/csv; charset=utf-8", "rejects.csv")


class OwnCasesImportView(ScopedActionView):
    permission_required = "insights.add_importjob"

    def act(self, request):
        job = services.own_cases_import(organisation=request.organisation, user=request.user)
        return redirect("insights:import_detail", pk=job.pk)

    def get_redirect_url(self) -> str:
        return reverse("insights:imports")


# --- linkage ------------------------------------------------------------------------------------------------
class LinkageView(ScopedFormView):
    permission_required = "insights.add_linkagerun"
    template_name = "insights/linkage.html"
    form_class = LinkForm

    def get_context_data(self, **kwargs):
        org = self.request.organisation
        return super().get_context_data(
            run=selectors.linkage_latest(user=self.request.user, organisation=org),
            report=selectors.linkage_report(organisation=org),
            overview=selectors.store_overview(organisation=org),
            **kwargs,
        )

    def perform(self, data):
        return services.linkage_start(
            organisation=self.request.organisation, user=self.request.user, threshold=data["threshold"]
        )

    def performed(self, run):
        return redirect("insights:linkage")


# --- dashboards ---------------------------------------------------------------------------------------------
class DashboardView(ScopedTemplateView):
    permission_required = "insights.view_dashboard"
    template_name = "insights/dashboard.html"

    def get_context_data(self, section, **kwargs):
        if section not in SECTIONS:
            raise Http404
        org = self.request.organisation
        method = method_from(self.request.GET)
        filters = filters_from(self.request.GET)
        charts = services.section_charts(organisation=org, section=section, method=method, filters=filters)
        years = services.dashboard_years(organisation=org)
        if filters[YEAR] and filters[YEAR] not in years:
            years = sorted({*years, filters[YEAR]})  # a year chosen by link stays visible in the filter
        return super().get_context_data(
            section=section,
            section_title=SECTIONS[section],
            sections=SECTIONS,
            method=method,
            filters=filters,
            query=self.request.GET.urlencode(),
            charts=[(data, render_svg(data)) for data in charts],
            protection=protection_text(method),
            budget=budget_status(org) if method == Method.DP else None,
            years=years,
            filter_labels=FILTER_LABELS,
            has_data=bool(selectors.store_overview(organisation=org)["batches"]),
            **kwargs,
        )


class ChartDownloadView(ScopedDownloadView):
    permission_required = "insights.export_dashboard"

    def download(self, request, slug, fmt):
        chart = CHARTS_BY_SLUG.get(slug)
        if chart is None or fmt not in {"csv", "xlsx", "svg", "png"}:
            raise Http404
        method = method_from(request.GET)
        tables = services.dashboard_tables(organisation=request.organisation, chart=chart, method=method)
        data = chart_data(chart, tables, filters_from(request.GET))
        services.export_audit(what=f"chart {slug} ({method})", fmt=fmt)
        name = f"threadline-{slug}.{fmt}"
        if fmt == "csv":
            return attachment(chart_csv(data), "text/csv; charset=utf-8", name)
        if fmt == "svg":
            return attachment(render_svg(data, standalone=True), "image/svg+xml", name)
        if fmt == "png":
            return attachment(render_png(data), "image/png", name)
        return attachment(workbook([data], title=data.title, protection=protection_text(method)), XLSX, name)


class SectionReportView(ScopedDownloadView):
    permission_required = "insights.export_dashboard"

    def download(self, request, section, fmt):
        if section not in SECTIONS or fmt not in {"pdf", "xlsx"}:
            raise Http404
        method = method_from(request.GET)
        charts = services.section_charts(
            organisation=request.organisation, section=section, method=method, filters=filters_from(request.GET)
        )
        title = _("Threadline insights: {section}").format(section=SECTIONS[section])
        services.export_audit(what=f"report {section} ({method})", fmt=fmt)
        name = f"threadline-{section}.{fmt}"
        protection = protection_text(method)
        if fmt == "pdf":
            body = pdf_report(charts, title=title, organisation=request.organisation.name, protection=protection)
            return attachment(body, "application/pdf", name)
        return attachment(workbook(charts, title=title, protection=protection), XLSX, name)


# --- releases -----------------------------------------------------------------------------------------------
def _field_choices() -> list[tuple[str, str]]:
    return [(f, f"{field_label(f)} ({f})") for f in release_fields()]


class ReleasesView(ScopedFormView):
    permission_required = "insights.add_release"
    template_name = "insights/releases.html"
    form_class = ReleaseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "field_choices": _field_choices()}

    def get_context_data(self, **kwargs):
        org = self.request.organisation
        releases = self.scoped(Release)
        return super().get_context_data(
            releases=releases,
            synthetic_form=SyntheticForm(releases=releases),
            synthetic=self.scoped(SyntheticRelease),
            budget=budget_status(org),
            **kwargs,
        )

    def perform(self, data):
        return services.release_create(
            organisation=self.request.organisation,
            user=self.request.user,
            title=data["title"],
            fields=data["group_by"],
            method=data["method"],
            k=data.get("k"),
            epsilon=data.get("epsilon"),
        )

    def performed(self, release):
        return redirect("insights:release", pk=release.pk)


class ReleaseDetailView(ScopedDetailView):
    model = Release
    permission_required = "insights.view_release"
    template_name = "insights/release_detail.html"
    context_object_name = "release"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**selectors.release_view_rows(self.object), **kwargs)


class ReleasePublishView(ScopedActionView):
    permission_required = "insights.change_release"
    queryset_action = "change"

    def act(self, request, pk):
        services.release_publish(
            release=self.scoped_object(Release, "change", pk=pk),
            published=request.POST.get("publish") == "1",
            unlinked_acknowledged=request.POST.get("unlinked_acknowledged") == "1",
        )

    def get_redirect_url(self) -> str:
        return reverse("insights:release", kwargs={"pk": self.kwargs["pk"]})


def _release_csv_response(release: Release) -> HttpResponse:
    return attachment(release_csv(release), "text/csv; charset=utf-8", f"threadline-release-{release.pk}.csv")


class ReleaseCsvView(ScopedDownloadView):
    permission_required = "insights.view_release"

    def download(self, request, pk):
        release = self.scoped_object(Release, pk=pk)
        services.export_audit(what=f"release {release.pk}", fmt="csv")
        return _release_csv_response(release)


class SyntheticCreateView(ScopedActionView):
    permission_required = "insights.add_syntheticrelease"

    def act(self, request):
        form = SyntheticForm(request.POST, releases=self.scoped(Release))
        if not form.is_valid():
            raise ValidationError(_("Give a title and choose at least one release."))
        item = services.synthetic_create(
            organisation=request.organisation,
            user=request.user,
            releases=list(form.cleaned_data["releases"]),
            title=form.cleaned_data["title"],
        )
        return redirect("insights:synthetic", pk=item.pk)

    def get_redirect_url(self) -> str:
        return reverse("insights:releases")


class SyntheticDetailView(ScopedDetailView):
    model = SyntheticRelease
    permission_required = "insights.view_syntheticrelease"
    template_name = "insights/synthetic_detail.html"
    context_object_name = "item"


class SyntheticPublishView(ScopedActionView):
    permission_required = "insights.change_syntheticrelease"
    queryset_action = "change"

    def act(self, request, pk):
        item = self.scoped_object(SyntheticRelease, "change", pk=pk)
        services.synthetic_publish(item=item, published=request.POST.get("publish") == "1")

    def get_redirect_url(self) -> str:
        return reverse("insights:synthetic", kwargs={"pk": self.kwargs["pk"]})


def _synthetic_csv_response(item: SyntheticRelease) -> HttpResponse:
    return attachment(item.csv, "text/csv; charset=utf-8", f"threadline-synthetic-{item.pk}.csv")


class SyntheticCsvView(ScopedDownloadView):
    permission_required = "insights.view_syntheticrelease"

    def download(self, request, pk):
        item = self.scoped_object(SyntheticRelease, pk=pk)
        services.export_audit(what=f"synthetic {item.pk}", fmt="csv")
        return _synthetic_csv_response(item)


# --- public -------------------------------------------------------------------------------------------------
class PublicView(TemplateView):
    """No sign-in: only published, protected aggregates and published synthetic microdata."""

    template_name = "insights/public.html"

    def get_context_data(self, **kwargs):
        releases = [(r, selectors.release_view_rows(r)) for r in selectors.public_releases()]
        return super().get_context_data(releases=releases, synthetic=selectors.public_synthetic(), **kwargs)


class PublicReleaseCsvView(View):
    def get(self, request, pk):
        return _release_csv_response(get_object_or_404(selectors.public_releases(), pk=pk))


class PublicSyntheticCsvView(View):
    def get(self, request, pk):
        return _synthetic_csv_response(get_object_or_404(selectors.public_synthetic(), pk=pk))
