from __future__ import annotations

from rest_framework import serializers

from threadline.prevention.models import School, SessionDelivery, SurveyRound


class SchoolSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = School
        fields = ["id", "name", "district", "kind", "pupils_total", "is_active"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="plan.school_id", read_only=True)
    attendance = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()), read_only=True,
        help_text="Sex -> age band -> pupils present.",
    )  # fmt: skip

    class Meta:
        model = SessionDelivery
        fields = ["id", "plan", "school", "module_id", "session_id", "delivered_on", "class_label", "pupils",
                  "attendance"]  # fmt: skip
        read_only_fields = fields


class SurveyRoundSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="plan.school_id", read_only=True)

    class Meta:
        model = SurveyRound
        fields = ["id", "plan", "school", "phase", "questionnaire_id", "questionnaire_version", "class_label",
                  "expires_at", "closed_at", "responses_count", "created_at"]  # fmt: skip
        read_only_fields = fields


class DistrictCoverageSerializer(serializers.Serializer):
    district = serializers.CharField()
    schools_reached = serializers.IntegerField()
    schools_total = serializers.IntegerField(allow_null=True)
    schools_share = serializers.FloatField(allow_null=True)
    pupils_reached = serializers.IntegerField(allow_null=True, help_text="null when fewer than 11 (suppressed)")
    pupils_total = serializers.IntegerField(allow_null=True)
    pupils_share = serializers.FloatField(allow_null=True)


class ModuleSerializer(serializers.Serializer):
    curriculum = serializers.CharField()
    module = serializers.CharField()
    title = serializers.CharField()
    sessions = serializers.IntegerField()
    attendance = serializers.IntegerField(allow_null=True)


class PreventionIndicatorSerializer(serializers.Serializer):
    reporting_period = serializers.CharField(allow_null=True)
    htype_indicator = serializers.CharField()
    measure = serializers.CharField()
    breakdown = serializers.CharField()
    category = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    share_percent = serializers.FloatField(allow_null=True)
    n_before = serializers.IntegerField(allow_null=True)
    n_after = serializers.IntegerField(allow_null=True)
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    ci95_low = serializers.FloatField(allow_null=True)
    ci95_high = serializers.FloatField(allow_null=True)
    hedges_g = serializers.FloatField(allow_null=True)
    unit = serializers.CharField(allow_null=True)
    suppressed = serializers.BooleanField()


class AggregatesSerializer(serializers.Serializer):
    k = serializers.IntegerField(help_text="Figures describing fewer than k pupils are null.")
    districts = DistrictCoverageSerializer(many=True)
    pupils_reached = serializers.IntegerField(allow_null=True)
    modules = ModuleSerializer(many=True)
    indicators = PreventionIndicatorSerializer(many=True)
