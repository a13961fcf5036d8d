from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from threadline.accounts import services
from threadline.accounts.api.serializers import (
    InvitationSerializer,
    MemberCreateSerializer,
    MembershipSerializer,
    OrganisationSerializer,
)
from threadline.accounts.models import Invitation, Membership, Organisation, User
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

    @extend_schema(request=MemberCreateSerializer, responses={202: InvitationSerializer})
    def create(self, request):
        """Invite an address: it joins when its holder accepts after signing in. The answer is the same
        whether or not the address has an account."""
        serializer = MemberCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.member_invite(organisation=self.organisation, invited_by=request.user, **data)
        email = User.objects.normalize_email(data["email"]).strip().lower()
        answer = {"email": email, "role": data["role"], "status": Invitation.Status.PENDING}
        return Response(InvitationSerializer(answer).data, status=status.HTTP_202_ACCEPTED)
