"""The online API's viewsets: the token's organisation only, the same services as the pages."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from threadline.core.api.views import RestrictedViewSetMixin
from threadline.engines.online import workspace as ws_mod
from threadline.online import packages, selectors, services
from threadline.online.api.serializers import (
    InputSerializer,
    InvestigationSerializer,
    LabelSerializer,
    LabelUpdateSerializer,
    NetworkPageSerializer,
    NetworkQuerySerializer,
    NoticeSerializer,
    NoticeStatusSerializer,
    PackageSerializer,
    ScanSerializer,
    SourceFileSerializer,
)
from threadline.online.models import (
    CustodyEvent,
    EvidencePackage,
    Investigation,
    NetworkReview,
    PlatformNotice,
    Scan,
)

INVESTIGATION_ACTIONS = {  # action -> method -> permission; the investigation itself only needs to be visible
    "inputs": {"GET": "online.view_sourcefile", "POST": "online.add_sourcefile"},
    "scan": {"POST": "online.add_scan"},
}


class InvestigationViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Investigation.objects.select_related("current_scan").all()
    serializer_class = InvestigationSerializer

    @property
    def permission_required(self):
        return INVESTIGATION_ACTIONS.get(self.action, {}).get(self.request.method)

    def get_queryset(self):
        if self.action in INVESTIGATION_ACTIONS:
            return Investigation.objects.restrict(self.request.user, "view", self.organisation)
        return super().get_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.investigation_create(
            organisation=self.organisation, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(methods=["GET"], responses={200: SourceFileSerializer(many=True)})
    @extend_schema(methods=["POST"], request=InputSerializer, responses={201: SourceFileSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser], pagination_class=None)
    def inputs(self, request, pk=None):
        """The investigation's inputs; POST adds one (an upload, or a server path) for the next scan."""
        investigation = self.get_object()
        if request.method == "GET":
            return Response(SourceFileSerializer(investigation.sources.all(), many=True).data)
        body = InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "file" in body.validated_data:
            source = services.source_upload(
                investigation=investigation, user=request.user, uploaded=body.validated_data["file"]
            )
        else:
            source = services.source_add_path(
                investigation=investigation, user=request.user, path=body.validated_data["path"]
            )
        return Response(SourceFileSerializer(source).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ScanSerializer})
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """Queue a scan of all the inputs; follow it at ``/online/scans/{id}/``."""
        scan = services.scan_start(investigation=self.get_object(), user=request.user)
        return Response(ScanSerializer(scan).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=[NetworkQuerySerializer], responses={200: NetworkPageSerializer})
    @action(detail=True, methods=["get"])
    def networks(self, request, pk=None):
        """Networks ranked by risk, with the page's filters; ``q`` finds an identifier as typed."""
        investigation = self.get_object()
        ws = selectors.investigation_workspace(investigation)
        if ws is None:
            return Response(NetworkPageSerializer({"count": 0, "results": []}).data)
        params = NetworkQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        include, exclude = selectors.review_filter_ids(investigation=investigation, status=p.get("review", ""),
                                                       user=request.user)  # fmt: skip
        if p.get("q"):
            found = ws_mod.search_networks(ws, p["q"])
            include = found if include is None else [n for n in include if n in set(found)]
        flt = ws_mod.NetworkFilter(category=p.get("category", ""), city=p.get("city", ""), site=p.get("site", ""),
                                   min_ads=p.get("min_ads"), max_ads=p.get("max_ads"), date_from=p.get("date_from"),
                                   date_to=p.get("date_to"), include_ids=include, exclude_ids=exclude)  # fmt: skip
        rows, total = ws_mod.network_page(ws, flt, offset=p["offset"], limit=p["limit"],
                                          overrides=investigation.risk_weights)  # fmt: skip
        reviews = selectors.reviews_for(investigation, [r["network_id"] for r in rows])
        for row in rows:
            review = reviews.get(row["network_id"])
            row["label"] = review.label if review else ""
            row["confirmed"] = bool(review and review.confirmed_at)
        return Response(NetworkPageSerializer({"count": total, "results": rows}).data)


class _ScopedInvestigationMixin:
    """A service's refusal (``ValidationError``) answers 400 in the API's one error shape (``core/api/errors``)."""

    def _investigation(self, investigation):
        """The investigation a write names: labelling or drafting a notice changes it, so "view" is not enough."""
        queryset = Investigation.objects.restrict(self.request.user, "change", self.organisation)
        return get_object_or_404(queryset, pk=getattr(investigation, "pk", investigation))


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("investigation", int, description="Only this investigation's labels.")]
    ),
    partial_update=extend_schema(request=LabelUpdateSerializer, responses={200: LabelSerializer}),
)
class LabelViewSet(
    _ScopedInvestigationMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Network labels: POST ``{investigation, network_id, label}`` labels (or relabels) a network."""

    queryset = NetworkReview.objects.select_related("investigation").order_by("investigation", "network_id")
    serializer_class = LabelSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        investigation = self.request.query_params.get("investigation")
        return (
            queryset.filter(investigation_id=investigation) if investigation and investigation.isdigit() else queryset
        )

    def perform_create(self, serializer):
        investigation = self._investigation(serializer.validated_data["investigation"])
        network_id = serializer.validated_data["network_id"]
        ws = selectors.investigation_workspace(investigation)
        network = ws_mod.network_get(ws, network_id) if ws else None
        if network is None:
            raise NotFound
        anchor = ws_mod.network_ads(ws, network_id, limit=1)
        serializer.instance = services.network_label(
            investigation=investigation, network_id=network_id,
            label=serializer.validated_data["label"], user=self.request.user,
            anchor_ad_id=anchor[0]["ad_id"] if anchor else "", risk_score=network.get("risk_score"),
        )  # fmt: skip

    def update(self, request, *args, **kwargs):
        review = self.get_object()
        params = LabelUpdateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        review = services.network_label(investigation=review.investigation, network_id=review.network_id,
                                        label=params.validated_data["label"], user=request.user)  # fmt: skip
        return Response(LabelSerializer(review, context=self.get_serializer_context()).data)


@extend_schema_view(partial_update=extend_schema(request=NoticeStatusSerializer, responses={200: NoticeSerializer}))
class NoticeViewSet(
    _ScopedInvestigationMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Platform notices: POST drafts one from a network (the ad URLs on that platform are filled in);
    PATCH ``{status, at}`` records a status with its date."""

    queryset = PlatformNotice.objects.all()
    serializer_class = NoticeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        investigation = self._investigation(data["investigation"])
        ws = selectors.investigation_workspace(investigation)
        if ws is None or ws_mod.network_get(ws, data["network_id"]) is None:
            raise NotFound
        ads = ws_mod.network_ads(ws, data["network_id"], limit=100_000)
        serializer.instance = services.notice_create(
            investigation=investigation, network_id=data["network_id"],
            platform=data["platform"], reason=data.get("reason", ""), user=self.request.user,
            ad_urls=[a["url"] for a in ads if a.get("site") == data["platform"] and a.get("url")],
        )  # fmt: skip

    def update(self, request, *args, **kwargs):
        notice = self.get_object()
        params = NoticeStatusSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        notice = services.notice_set_status(notice=notice, status=params.validated_data["status"],
                                            at=params.validated_data.get("at"), user=request.user)  # fmt: skip
        return Response(NoticeSerializer(notice, context=self.get_serializer_context()).data)


class ScanViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scans of the organisation's investigations, newest first: poll one for its status."""

    queryset = Scan.objects.all()
    serializer_class = ScanSerializer


class PackageViewSet(
    _ScopedInvestigationMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Evidence packages: POST ``{investigation, network_id}`` seals one; every read and download is recorded
    in its chain of custody."""

    queryset = EvidencePackage.objects.all()
    serializer_class = PackageSerializer

    @property
    def permission_required(self):
        return "online.export_evidencepackage" if self.action == "download" else None

    def get_queryset(self):
        if self.action == "download":
            return EvidencePackage.objects.restrict(self.request.user, "view", self.organisation)
        return super().get_queryset()

    def retrieve(self, request, *args, **kwargs):
        package = self.get_object()
        packages.custody_record(package=package, action=CustodyEvent.Action.VIEWED, user=request.user)
        return Response(self.get_serializer(package).data)

    def perform_create(self, serializer):
        investigation = self._investigation(serializer.validated_data["investigation"])
        network_id = serializer.validated_data["network_id"]
        ws = selectors.investigation_workspace(investigation)
        if ws is None or ws_mod.network_get(ws, network_id) is None:
            raise NotFound
        serializer.instance = packages.package_create(
            investigation=investigation, network_id=network_id, user=self.request.user
        )

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The sealed package (a zip with its manifest and checksums)."""
        package = self.get_object()
        packages.custody_record(package=package, action=CustodyEvent.Action.EXPORTED, user=request.user)
        return FileResponse(open(package.path, "rb"), as_attachment=True, content_type="application/zip",
                            filename=f"evidence-{package.network_id}-{str(package.pk)[:8]}.zip")  # fmt: skip
