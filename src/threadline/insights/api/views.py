"""API endpoints of the insights area: the same services, scoping and protection as the pages.

Imports (upload -> validation report -> accept or cancel, the quarantined rows as CSV), linkage runs,
releases (made and published only through the disclosure services) and the dashboards' protected tables.
Nothing here returns a record of the store. Another organisation's object is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from threadline.core.api.permissions import api_organisation
from threadline.core.api.views import RestrictedViewSetMixin
from threadline.insights import services
from threadline.insights.api import serializers as s
from threadline.insights.models import ImportJob, LinkageRun, Release


class _ReadCreateViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "head", "options"]
    #: action -> permission, for the actions that change an object the caller only needs to see otherwise.
    action_permissions: dict[str, str] = {}

    @property
    def permission_required(self):
        return self.action_permissions.get(self.action)

    def get_queryset(self):
        permission = self.action_permissions.get(self.action)
        if permission is not None:
            verb = permission.split(".")[1].split("_")[0]
            return self.queryset.restrict(self.request.user, verb, self.organisation)
        return super().get_queryset()


class ImportViewSet(_ReadCreateViewSet):
    """Imports of partner files. POST (multipart) uploads a file: CTDC files are validated at once, HTCDS files
    get a proposed column mapping to confirm with ``validate``. Nothing is stored until ``accept``."""

    queryset = ImportJob.objects.all()
    serializer_class = s.ImportJobSerializer
    parser_classes = [JSONParser, MultiPartParser]
    action_permissions = {
        "validate": "insights.change_importjob",
        "accept": "insights.change_importjob",
        "cancel": "insights.change_importjob",
        "rejects": "insights.view_importjob",
    }

    @extend_schema(request={"multipart/form-data": s.ImportUploadSerializer}, responses={201: s.ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        body = s.ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = services.import_upload(
            organisation=self.organisation, user=request.user, uploaded_file=data["file"], fmt=data["format"],
            source=data["source"], strict=data["strict"],
        )  # fmt: skip
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ImportMappingSerializer, responses={200: s.ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Validate the file with a column mapping (HTCDS; the proposed one when none is given). Nothing is
        stored: the report says what an import would do. Refused (400) once the import was accepted or cancelled."""
        job = self.get_object()
        body = s.ImportMappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mapping = body.validated_data.get("mapping", job.mapping)
        job = services.import_set_mapping(job=job, mapping=mapping) if mapping else services.import_validate(job=job)
        return Response(s.ImportJobSerializer(job).data)

    @extend_schema(request=None, responses={202: s.ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Store the checked file (a background task; small files at once). Follow the import's status."""
        job = self.get_object()
        services.import_start(job=job, user=request.user)
        job.refresh_from_db()
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: s.ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel before importing: the upload is deleted and nothing is stored."""
        job = services.import_cancel(job=self.get_object())
        return Response(s.ImportJobSerializer(job).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def rejects(self, request, pk=None):
        """The rows the import quarantines (row, reason, the file's cells), while the upload is kept."""
        job = self.get_object()
        try:
            data = services.import_rejects_csv(job=job)
        except DjangoValidationError:
            raise NotFound from None  # not checked yet, or accepted or cancelled: nothing is kept
        services.export_audit(what=f"quarantined rows of import {job.pk} (api)", fmt="csv")
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rejects.csv"'
        return response


class LinkageRunViewSet(_ReadCreateViewSet):
    """Linkage runs over the organisation's store; POST starts one (a background task). Reports hold counts."""

    queryset = LinkageRun.objects.select_related("task").all()
    serializer_class = s.LinkageRunSerializer

    @extend_schema(request=s.LinkageStartSerializer, responses={202: s.LinkageRunSerializer})
    def create(self, request, *args, **kwargs):
        body = s.LinkageStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.linkage_start(
            organisation=self.organisation, user=request.user, threshold=body.validated_data["threshold"]
        )
        return Response(s.LinkageRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ReleaseViewSet(_ReadCreateViewSet):
    """Protected releases. POST protects a table (cell suppression audited against earlier releases, or
    differential privacy charged to the budget) and may be refused; ``publish`` publishes or withdraws one."""

    queryset = Release.objects.all()
    serializer_class = s.ReleaseSerializer
    action_permissions = {"publish": "insights.change_release"}

    @extend_schema(request=s.ReleaseCreateSerializer, responses={201: s.ReleaseSerializer})
    def create(self, request, *args, **kwargs):
        body = s.ReleaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        release = services.release_create(
            organisation=self.organisation, user=request.user, title=data["title"], fields=data["fields"],
            method=data["method"], k=data.get("k"), epsilon=data.get("epsilon"),
        )  # fmt: skip
        return Response(s.ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReleasePublishSerializer, responses={200: s.ReleaseSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        body = s.ReleasePublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        release = services.release_publish(release=self.get_object(), **body.validated_data)
        return Response(s.ReleaseSerializer(release).data)


class DashboardViewSet(viewsets.ViewSet):
    """The dashboards' charts and their protected tables (suppressed, or differentially private with
    ``method=dp``, charged to the budget once per version of the data). Never a record."""

    permission_required = "insights.view_dashboard"
    lookup_field = "slug"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(responses={200: s.ChartSerializer(many=True)})
    def list(self, request):
        from threadline.insights.dashboards import CHARTS

        return Response(s.ChartSerializer([_chart(c) for c in CHARTS], many=True).data)

    @extend_schema(parameters=[s.ChartQuerySerializer], responses={200: s.ChartTablesSerializer})
    def retrieve(self, request, slug=None):
        from threadline.insights.dashboards import CHARTS_BY_SLUG
        from threadline.insights.stores import has_data

        chart = CHARTS_BY_SLUG.get(slug)
        if chart is None:
            raise NotFound
        params = s.ChartQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        method = params.validated_data["method"]
        organisation = api_organisation(request)
        tables = []
        if has_data(organisation):
            tables = services.dashboard_tables(organisation=organisation, chart=chart, method=method)
        services.export_audit(what=f"chart {slug} ({method}, api)", fmt="json")
        body = {**_chart(chart), "method": method, "tables": [s.table_data(t) for t in tables]}
        return Response(s.ChartTablesSerializer(body).data)


def _chart(chart) -> dict:
    return {"slug": chart.slug, "section": chart.section, "title": str(chart.title),
            "description": str(chart.description)}  # fmt: skip
