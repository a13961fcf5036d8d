from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from threadline.core.api.permissions import api_organisation
from threadline.core.api.views import RestrictedReadOnlyViewSet
from threadline.prevention import selectors
from threadline.prevention.api.serializers import (
    AggregatesSerializer,
    SchoolSerializer,
    SessionSerializer,
    SurveyRoundSerializer,
)
from threadline.prevention.models import School, SessionDelivery, SurveyRound


class SchoolViewSet(RestrictedReadOnlyViewSet):
    """Schools of the token's organisation (a facilitator's token: only their schools)."""

    queryset = School.objects.select_related("district")
    serializer_class = SchoolSerializer


class SessionViewSet(RestrictedReadOnlyViewSet):
    """Sessions delivered, with attendance counted by sex and age band (never names)."""

    queryset = SessionDelivery.objects.select_related("plan")
    serializer_class = SessionSerializer


class SurveyRoundViewSet(RestrictedReadOnlyViewSet):
    """Survey rounds without their session codes; never the responses."""

    queryset = SurveyRound.objects.select_related("plan")
    serializer_class = SurveyRoundSerializer


class _OneObjectSchema(AutoSchema):
    """The aggregates are one object, not a list, although the router calls the action ``list``."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class AggregatesViewSet(viewsets.ViewSet):
    """Coverage, sessions per module and the HTYPE indicator rows, suppressed (k = 11)."""

    schema = _OneObjectSchema()

    permission_required = "prevention.summarise_programmeplan"

    @extend_schema(responses={200: AggregatesSerializer})
    def list(self, request):
        organisation = api_organisation(request)
        figures = selectors.dashboard(organisation=organisation)
        data = {
            "k": selectors.K,
            "districts": figures["coverage"]["districts"],
            "pupils_reached": figures["coverage"]["pupils_total"],
            "modules": figures["modules"],
            "indicators": selectors.htype_rows(organisation=organisation, data=figures),
        }
        return Response(AggregatesSerializer(data).data)
