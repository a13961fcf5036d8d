"""Insights: what the web side keeps about imports, linkage runs, protected figures and releases.

Case-level records never live in these tables: they stay in the organisation's Parquet/DuckDB store
(``$THREADLINE_DATA_DIR/insights/<org slug>/``). These models hold job state, validation reports (file, row,
column, reason, what was done; the offending value only for controlled columns such as a gender or a country
code, never for names, dates of birth or case ids), and *protected* aggregates only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.querysets import RestrictedQuerySet


class ImportFormat(models.TextChoices):
    CTDC = "ctdc", _("CTDC global dataset, 2020 edition (63 columns)")
    CTDC_SYNTHETIC = "ctdc-synthetic", _("CTDC synthetic dataset, 2024 codebook (27 columns)")
    HTCDS = "htcds", _("HTCDS 2.0 CSV or Excel template")


class ImportJob(AuditedModel):
    """One partner file on its way into the store: uploaded, mapped, validated, then imported."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: check the column mapping")
        INVALID = "invalid", _("Problems found: nothing stored")
        VALID = "valid", _("Checked: accept or cancel")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed: nothing stored")
        WITHDRAWN = "withdrawn", _("Withdrawn: its records were removed from the store")

        CANCELLED = "cancelled", _("Cancelled: nothing stored")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=100, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    source = models.CharField(_("source name"), max_length=64)
    strict = models.BooleanField(
        _("all or nothing"),
        default=False,
        help_text=_("Store nothing if any value or row has a problem, instead of keeping what is good."),
    )
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(default=0)
    batch_id = models.CharField(max_length=120, blank=True)
    task = models.ForeignKey("core.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_format_display()})"


class LinkageRun(AuditedModel):
    """One run of probabilistic linkage over the organisation's store; the report holds counts only."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    threshold = models.FloatField(default=0.8)
    task = models.ForeignKey("core.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report = models.JSONField(default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"linkage {self.created_at:%Y-%m-%d %H:%M}"


class ProtectedFigures(AuditedModel):
    """A protected table computed for a dashboard, kept so that a differentially private table is drawn
    (and charged to the budget) once per dataset version, and re-shown as it was (post-processing)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=250)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="insights_figures_unique_key")]

    def __str__(self) -> str:
        return self.key


class Method(models.TextChoices):
    SUPPRESSION = "suppression", _("Cell suppression (k)")
    DP = "dp", _("Differential privacy (epsilon)")


class Release(AuditedModel):
    """A protected aggregate table a data officer chose to release; public once published."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    fields = models.JSONField(default=list)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.SUPPRESSION)
    k = models.PositiveSmallIntegerField(null=True, blank=True)
    epsilon = models.FloatField(null=True, blank=True)
    dataset_version = models.CharField(max_length=40, blank=True)
    table = models.JSONField(default=dict)  # protected rows, categories, notes: nothing unpublished
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SyntheticRelease(AuditedModel):
    """Synthetic microdata built only from protected releases, with the CTDC-style quality metrics."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    releases = models.ManyToManyField(Release, related_name="synthetic_releases")
    fields = models.JSONField(default=list)
    csv = models.TextField(blank=True)
    rows = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
