from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from threadline.core.api.views import RestrictedViewSetMixin
from threadline.policy import services
from threadline.policy.api.serializers import (
    AssessmentDetailSerializer,
    AssessmentSerializer,
    IndicatorSerializer,
    PolicySerializer,
)
from threadline.policy.models import Assessment, Indicator, Policy


class PolicyViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Policies and programmes of the token's organisation; POST creates one."""

    queryset = Policy.objects.all()
    serializer_class = PolicySerializer
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=PolicySerializer, responses={201: PolicySerializer})
    def create(self, request):
        serializer = PolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            policy = services.policy_create(organisation=self.organisation, user=request.user, **data)
        except services.PolicyError as exc:
            raise ValidationError({exc.field or "non_field_errors": [str(exc.message)]}) from exc
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Child rights impact assessments of the token's organisation, with their impact ratings on the detail."""

    queryset = Assessment.objects.select_related("policy").prefetch_related("impacts")
    serializer_class = AssessmentSerializer

    def get_serializer_class(self):
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer


class IndicatorViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Monitoring indicators with their values over time (suppressed values have no number)."""

    queryset = Indicator.objects.select_related("policy").prefetch_related("values")
    serializer_class = IndicatorSerializer
