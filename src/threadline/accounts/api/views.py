from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from threadline.accounts import services
from threadline.accounts.api.serializers import (
    MemberCreateSerializer,
    MembershipSerializer,
    OrganisationSerializer,
)
from threadline.accounts.models import Membership, Organisation
from threadline.core.api.views import RestrictedReadOnlyViewSet, RestrictedViewSetMixin


class OrganisationViewSet(RestrictedReadOnlyViewSet):
    """The token's organisation."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer


class MembershipViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the token's organisation and their roles (administrators)."""

    queryset = Membership.objects.select_related("user").all()
    serializer_class = MembershipSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_update(self, serializer):
        membership = serializer.instance
        serializer.instance = services.membership_set(
            user=membership.user,
            organisation=membership.organisation,
            role=serializer.validated_data.get("role", membership.role),
            is_active=serializer.validated_data.get("is_active", membership.is_active),
        )

    @extend_schema(request=MemberCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request):
        serializer = MemberCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(organisation=self.organisation, **serializer.validated_data)
        membership = Membership.objects.get(user=user, organisation=self.organisation)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
