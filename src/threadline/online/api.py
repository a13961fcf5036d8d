"""API of the online area: investigations (with their ranked networks), labels and platform notices.

Scoped like the pages: the token's organisation, online analysts only; another organisation's object is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from threadline.core.api.fields import RestrictedRelatedField
from threadline.core.api.views import RestrictedViewSetMixin
from threadline.online import selectors, services
from threadline.online import workspace as ws_mod
from threadline.online.models import Investigation, Label, NetworkReview, NoticeStatus, PlatformNotice


class InvestigationSerializer(serializers.ModelSerializer):
    ads = serializers.SerializerMethodField()
    networks = serializers.SerializerMethodField()

    class Meta:
        model = Investigation
        fields = ["id", "title", "description", "created_at", "current_scan", "ads", "networks", "risk_weights"]
        read_only_fields = ["id", "created_at", "current_scan", "ads", "networks", "risk_weights"]

    def _counts(self, obj) -> dict:
        return (obj.current_scan.summary.get("counts", {}) if obj.current_scan else {}) or {}

    def get_ads(self, obj) -> int | None:
        return self._counts(obj).get("ads")

    def get_networks(self, obj) -> int | None:
        return self._counts(obj).get("networks")


class NetworkQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    site = serializers.CharField(required=False, allow_blank=True)
    min_ads = serializers.IntegerField(required=False, min_value=1)
    max_ads = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    review = serializers.CharField(required=False, allow_blank=True)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)
    offset = serializers.IntegerField(required=False, min_value=0, default=0)


class InvestigationViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Investigation.objects.select_related("current_scan").all()
    serializer_class = InvestigationSerializer

    def perform_create(self, serializer):
        serializer.instance = services.investigation_create(
            organisation=self.organisation, user=self.request.user, **serializer.validated_data
        )

    @action(detail=True, methods=["get"])
    def networks(self, request, pk=None):
        """Networks ranked by risk, with the page's filters; ``q`` finds an identifier as typed."""
        investigation = self.get_object()
        ws = selectors.investigation_workspace(investigation)
        if ws is None:
            return Response({"count": 0, "results": []})
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
        return Response({"count": total, "results": rows})


class LabelSerializer(serializers.ModelSerializer):
    label = serializers.ChoiceField(choices=Label.choices)
    investigation = RestrictedRelatedField(Investigation)

    class Meta:
        model = NetworkReview
        fields = ["id", "investigation", "network_id", "label", "labelled_by", "labelled_at", "assigned_to",
                  "confirmed_by", "confirmed_at"]  # fmt: skip
        read_only_fields = ["id", "labelled_by", "labelled_at", "assigned_to", "confirmed_by", "confirmed_at"]
        validators = []  # one review per network: a second label updates it


class _ScopedInvestigationMixin:
    def _investigation(self, investigation):
        """The investigation a write names: labelling or drafting a notice changes it, so "view" is not enough."""
        queryset = Investigation.objects.restrict(self.request.user, "change", self.organisation)
        return get_object_or_404(queryset, pk=getattr(investigation, "pk", investigation))

    def _call(self, func, **kwargs):
        try:
            return func(**kwargs)
        except DjangoValidationError as exc:
            raise ApiValidationError({"non_field_errors": exc.messages}) from exc


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
        serializer.instance = self._call(
            services.network_label, investigation=investigation, network_id=network_id,
            label=serializer.validated_data["label"], user=self.request.user,
            anchor_ad_id=anchor[0]["ad_id"] if anchor else "", risk_score=network.get("risk_score"),
        )  # fmt: skip

    def perform_update(self, serializer):
        review = serializer.instance
        serializer.instance = self._call(
            services.network_label, investigation=review.investigation, network_id=review.network_id,
            label=serializer.validated_data.get("label", review.label), user=self.request.user,
        )  # fmt: skip


class NoticeSerializer(serializers.ModelSerializer):
    investigation = RestrictedRelatedField(Investigation)

    class Meta:
        model = PlatformNotice
        fields = ["id", "investigation", "network_id", "platform", "ad_urls", "reason", "status", "drafted_at",
                  "sent_at", "acknowledged_at", "removed_at", "refused_at", "no_response_at"]  # fmt: skip
        read_only_fields = ["id", "ad_urls", "drafted_at", "sent_at", "acknowledged_at", "removed_at", "refused_at",
                            "no_response_at"]  # fmt: skip


class NoticeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=NoticeStatus.choices)
    at = serializers.DateTimeField(required=False)


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
        serializer.instance = self._call(
            services.notice_create, investigation=investigation, network_id=data["network_id"],
            platform=data["platform"], reason=data.get("reason", ""), user=self.request.user,
            ad_urls=[a["url"] for a in ads if a.get("site") == data["platform"] and a.get("url")],
        )  # fmt: skip

    def update(self, request, *args, **kwargs):
        notice = self.get_object()
        params = NoticeStatusSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        notice = self._call(services.notice_set_status, notice=notice, status=params.validated_data["status"],
                            at=params.validated_data.get("at"), user=request.user)  # fmt: skip
        return Response(NoticeSerializer(notice, context=self.get_serializer_context()).data)
