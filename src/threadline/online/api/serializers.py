"""What the online API takes and gives: never an ad's text, never where an input lies on the server."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from threadline.core.api.fields import RestrictedRelatedField
from threadline.online.models import (
    EvidencePackage,
    Investigation,
    Label,
    NetworkReview,
    NoticeStatus,
    PlatformNotice,
    Scan,
    SourceFile,
)


class InvestigationSerializer(serializers.ModelSerializer):
    ads = serializers.SerializerMethodField()
    networks = serializers.SerializerMethodField()
    risk_weights = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Accepted weight changes: feature -> weight."
    )

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


class NetworkSerializer(serializers.Serializer):
    """One ranked network as the list shows it, with its review state (never an ad's text)."""

    network_id = serializers.CharField()
    n_ads = serializers.IntegerField()
    n_sites = serializers.IntegerField()
    sites = serializers.ListField(child=serializers.CharField())
    n_cities = serializers.IntegerField()
    cities = serializers.ListField(child=serializers.CharField())
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    n_phones = serializers.IntegerField()
    n_names = serializers.IntegerField()
    indicator_categories = serializers.ListField(child=serializers.CharField())
    risk_score = serializers.FloatField(help_text="An indicator for human review, never a verdict.")
    label = serializers.CharField(help_text="The network's label, empty when unlabelled.")
    confirmed = serializers.BooleanField()


class NetworkPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = NetworkSerializer(many=True)


class SourceFileSerializer(serializers.ModelSerializer):
    """An input of the investigation; where it lies on the server is not shown."""

    class Meta:
        model = SourceFile
        fields = ["id", "kind", "name", "size", "sha256", "added_at"]
        read_only_fields = fields


class InputSerializer(serializers.Serializer):
    """Either ``file`` (multipart upload) or ``path`` (a server path under an import root), not both."""

    file = serializers.FileField(required=False, help_text=".jsonl, .csv or .parquet, optionally gzip-compressed.")
    path = serializers.CharField(
        required=False, max_length=1000, help_text="A file or directory under a directory opened for scanning."
    )

    def validate(self, attrs):
        if ("file" in attrs) == ("path" in attrs):
            raise serializers.ValidationError(_("Give either a file or a server path."))
        return attrs


class ScanSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Scan
        fields = ["id", "investigation", "status", "created_at", "finished_at", "counts"]
        read_only_fields = fields

    def get_counts(self, obj) -> dict[str, int]:
        """The scan's record counts (ads read and rejected, networks, ...) once it has finished."""
        counts = (obj.summary or {}).get("counts", {})
        return {key: value for key, value in counts.items() if isinstance(value, int) and not isinstance(value, bool)}


class LabelSerializer(serializers.ModelSerializer):
    label = serializers.ChoiceField(choices=Label.choices)
    investigation = RestrictedRelatedField(Investigation)

    class Meta:
        model = NetworkReview
        fields = ["id", "investigation", "network_id", "label", "labelled_by", "labelled_at", "assigned_to",
                  "confirmed_by", "confirmed_at"]  # fmt: skip
        read_only_fields = ["id", "labelled_by", "labelled_at", "assigned_to", "confirmed_by", "confirmed_at"]
        validators = []  # one review per network: a second label updates it


class LabelUpdateSerializer(serializers.Serializer):
    label = serializers.ChoiceField(choices=Label.choices)


class NoticeSerializer(serializers.ModelSerializer):
    investigation = RestrictedRelatedField(Investigation)
    ad_urls = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = PlatformNotice
        fields = ["id", "investigation", "network_id", "platform", "ad_urls", "reason", "status", "drafted_at",
                  "sent_at", "acknowledged_at", "removed_at", "refused_at", "no_response_at"]  # fmt: skip
        read_only_fields = ["id", "ad_urls", "drafted_at", "sent_at", "acknowledged_at", "removed_at", "refused_at",
                            "no_response_at"]  # fmt: skip


class NoticeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=NoticeStatus.choices)
    at = serializers.DateTimeField(required=False)


class PackageSerializer(serializers.ModelSerializer):
    investigation = RestrictedRelatedField(Investigation)

    class Meta:
        model = EvidencePackage
        fields = ["id", "investigation", "network_id", "sha256", "size", "n_files", "created_at"]
        read_only_fields = ["id", "sha256", "size", "n_files", "created_at"]
