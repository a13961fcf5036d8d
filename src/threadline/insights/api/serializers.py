"""API shapes of the insights area. Nothing here carries a record: import reports name file, row, column and
reason (a value only for controlled columns), linkage reports hold counts, tables hold protected figures."""

from __future__ import annotations

from rest_framework import serializers

from threadline.insights.models import ImportFormat, ImportJob, LinkageRun, Method, Release


class IssueSerializer(serializers.Serializer):
    """One problem of a file: where, why, and what the import does about it."""

    file = serializers.CharField()
    row = serializers.IntegerField(help_text="1 is the header; 0 means the whole file.")
    column = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    action = serializers.CharField(required=False, help_text="refused, set to missing, kept as Other, ...")
    value = serializers.CharField(
        required=False, allow_null=True, help_text="The offending value, for controlled columns only."
    )


class ImportReportSerializer(serializers.Serializer):
    """The validation report: rows in = stored + quarantined; every problem (the first 500)."""

    rows = serializers.IntegerField(required=False)
    ok = serializers.BooleanField(required=False)
    strict = serializers.BooleanField(required=False)
    stored_rows = serializers.IntegerField(required=False)
    quarantined = serializers.IntegerField(required=False)
    counts = serializers.DictField(child=serializers.IntegerField(), required=False, help_text="Issues by action.")
    bad_rows = serializers.IntegerField(required=False)
    issue_count = serializers.IntegerField(required=False)
    issues = IssueSerializer(many=True, required=False)
    columns = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="File column -> canonical column or (ignored)."
    )
    recognised = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Columns recognised before the mapping is confirmed."
    )


class ImportJobSerializer(serializers.ModelSerializer):
    report = ImportReportSerializer(read_only=True)
    header = serializers.ListField(child=serializers.CharField(), read_only=True)
    mapping = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        read_only=True,
        help_text="File column -> canonical column ('' ignores it); HTCDS files only.",
    )

    class Meta:
        model = ImportJob
        fields = ["id", "file_name", "format", "source", "strict", "status", "created_at", "rows", "header",
                  "mapping", "report", "batch_id"]  # fmt: skip
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv (any format) or .xlsx (HTCDS template).")
    format = serializers.ChoiceField(choices=ImportFormat.choices)
    source = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        help_text="Name of the partner or source: 1-64 letters, digits, '.', '_' or '-'.",
    )
    strict = serializers.BooleanField(
        required=False, default=False, help_text="Store nothing if any value or row has a problem."
    )


class ImportMappingSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="File column -> canonical column ('' ignores it). Without it the proposed mapping is used.",
    )


class LinkageRunSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    report = serializers.DictField(read_only=True, help_text="Counts only: records, clusters, estimated links.")

    class Meta:
        model = LinkageRun
        fields = ["id", "created_at", "threshold", "status", "report"]
        read_only_fields = ["id", "created_at", "status", "report"]

    def get_status(self, obj) -> str:
        """The background task's status: queued, running, succeeded, failed or cancelled."""
        if obj.task_id:
            return obj.task.status
        return "succeeded" if obj.report else "queued"  # the task record was cleaned up (or not made yet)


class LinkageStartSerializer(serializers.Serializer):
    threshold = serializers.FloatField(min_value=0.5, max_value=0.9999, required=False, default=0.8)


class CellSerializer(serializers.Serializer):
    """One protected figure: the categories it counts ("Total" where a field is summed over)."""

    key = serializers.DictField(child=serializers.CharField(), help_text="Field -> category.")
    count = serializers.IntegerField(allow_null=True, help_text="Empty when suppressed.")
    status = serializers.CharField(allow_blank=True)
    accuracy = serializers.FloatField(allow_null=True, help_text="Half-width of the interval (differential privacy).")
    confidence = serializers.CharField(allow_blank=True)


class TableSerializer(serializers.Serializer):
    by = serializers.ListField(child=serializers.CharField())
    method = serializers.ChoiceField(choices=Method.choices)
    k = serializers.IntegerField(allow_null=True)
    epsilon = serializers.FloatField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    refused = serializers.CharField(allow_blank=True, help_text="Why the table cannot be shown, when it cannot.")
    cells = CellSerializer(many=True)


def table_data(figures) -> dict:
    """A protected table (``protection.Figures``) in the API's shape: its figures, never a record."""
    cells = []
    for row in figures.rows():
        key = {f: str(row[f]) for f in figures.by}
        cells.append({"key": key, **{k: row[k] for k in ("count", "status", "accuracy", "confidence")}})
    return {"by": figures.by, "method": figures.method, "k": figures.k, "epsilon": figures.epsilon,
            "notes": [str(n) for n in figures.notes], "refused": str(figures.refused), "cells": cells}  # fmt: skip


class ReleaseSerializer(serializers.ModelSerializer):
    fields = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="The fields grouped by.")
    table = serializers.SerializerMethodField()
    unlinked = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["id", "title", "fields", "method", "k", "epsilon", "dataset_version", "created_at", "published",
                  "published_at", "unlinked", "table"]  # fmt: skip
        read_only_fields = fields

    def get_table(self, obj) -> TableSerializer:
        from threadline.insights.protection import Figures

        return table_data(Figures.from_payload(obj.table))

    def get_unlinked(self, obj) -> int:
        """Records of the table the last linkage did not cover (people in them may be counted twice)."""
        return int(obj.table.get("coverage", {}).get("unlinked", 0))


class ReleaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    fields = serializers.ListField(child=serializers.CharField(), min_length=1)
    method = serializers.ChoiceField(choices=Method.choices, default=Method.SUPPRESSION)
    k = serializers.IntegerField(min_value=2, required=False, allow_null=True)
    epsilon = serializers.FloatField(min_value=0.0, required=False, allow_null=True)


class ReleasePublishSerializer(serializers.Serializer):
    published = serializers.BooleanField(help_text="true publishes, false withdraws from the public page.")
    unlinked_acknowledged = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Publish even though some records were not covered by the last linkage (the page says so).",
    )


class ChartSerializer(serializers.Serializer):
    slug = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()


class ChartTablesSerializer(ChartSerializer):
    method = serializers.ChoiceField(choices=Method.choices)
    tables = TableSerializer(many=True)


class ChartQuerySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Method.choices, required=False, default=Method.SUPPRESSION)
