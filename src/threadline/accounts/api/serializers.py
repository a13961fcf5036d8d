from __future__ import annotations

from rest_framework import serializers

from threadline.accounts.models import Membership, Organisation
from threadline.core.roles import ROLE_CHOICES


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "country", "is_active", "created_at"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "display_name", "role", "is_active", "created_at"]
        read_only_fields = ["id", "email", "display_name", "created_at"]


class MemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    password = serializers.CharField(write_only=True, min_length=12, style={"input_type": "password"})


class InvitationSerializer(serializers.Serializer):
    """What an administrator learns from an invitation: the same for every address."""

    email = serializers.EmailField(read_only=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, read_only=True)
    status = serializers.CharField(read_only=True)
