from __future__ import annotations

from rest_framework import serializers

from threadline.policy.models import Assessment, ImpactRating, Indicator, IndicatorValue, Policy


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = Policy
        fields = ["id", "title", "reference", "kind", "department", "summary", "status", "created_at"]
        read_only_fields = ["id", "status", "created_at"]


class ImpactSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImpactRating
        fields = ["article", "group", "rating", "reasoning", "mitigation"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    policy = serializers.PrimaryKeyRelatedField(read_only=True)
    completed_stages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "policy",
            "template_id",
            "template_version",
            "stage",
            "completed_stages",
            "status",
            "version",
            "created_at",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    impacts = ImpactSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "impacts"]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.ModelSerializer):
    breakdown = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField()),
        read_only=True,
        help_text="Group (sex, age, form) -> category -> {value, n, suppressed}; value and n are null when suppressed.",
    )

    class Meta:
        model = IndicatorValue
        fields = ["period", "value", "suppressed", "breakdown", "source_note", "computed", "recorded_at"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    policy = serializers.PrimaryKeyRelatedField(read_only=True)
    values = IndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "policy",
            "name",
            "source",
            "unit",
            "baseline",
            "baseline_year",
            "target",
            "target_year",
            "next_review_on",
            "last_reviewed_on",
            "values",
        ]
        read_only_fields = fields
