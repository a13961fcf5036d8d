from __future__ import annotations

from rest_framework import serializers

from threadline.audit.models import AuditEntry
from threadline.core.api.views import RestrictedReadOnlyViewSet


class AuditEntrySerializer(serializers.ModelSerializer):
    fields = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Names of changed fields, never values."
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "fields",
            "request_id",
            "via",
            "hash",
            "prev_hash",
        ]
        read_only_fields = fields


class AuditEntryViewSet(RestrictedReadOnlyViewSet):
    """The organisation's audit entries, newest first (administrators and auditors)."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
