from __future__ import annotations

from rest_framework import serializers

from threadline.engines.screening import ANSWERS, outcome_label
from threadline.screening.models import Screening


class ScreeningSerializer(serializers.ModelSerializer):
    """A screening without its notes (which may identify someone); the result only on the detail."""

    outcome_label = serializers.SerializerMethodField()
    positive_dimensions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "reference",
            "age_group",
            "is_child",
            "instrument_id",
            "instrument_version",
            "instrument_digest",
            "language",
            "status",
            "step",
            "outcome",
            "outcome_label",
            "positive_dimensions",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_outcome_label(self, obj: Screening) -> str:
        return outcome_label(obj.outcome) if obj.outcome else ""


class ScreeningDetailSerializer(ScreeningSerializer):
    answers = serializers.DictField(child=serializers.CharField(), read_only=True, help_text="Indicator id -> answer.")
    result = serializers.DictField(read_only=True, help_text="The explained result: rule, dimensions, indicators.")
    safety = serializers.DictField(child=serializers.CharField(), read_only=True, help_text="Question -> answer.")

    class Meta(ScreeningSerializer.Meta):
        fields = [*ScreeningSerializer.Meta.fields, "answers", "result", "safety"]
        read_only_fields = fields


class ScreeningCreateSerializer(serializers.Serializer):
    instrument = serializers.CharField(
        max_length=120, help_text="A shipped instrument id, or 'upload-<id>' for one the organisation uploaded."
    )
    age_group = serializers.ChoiceField(choices=Screening.AgeGroup.choices)
    reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    language = serializers.CharField(max_length=10, required=False, default="en")
    answers = serializers.DictField(child=serializers.ChoiceField(choices=ANSWERS), allow_empty=True)
