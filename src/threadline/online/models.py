"""Online investigations: scans of ad corpora, reviews of the networks found, evidence packages, notices.

The ads, identifiers and networks themselves stay in the scan's workspace (Parquet files written by the online
engine); the database holds only what people decide about them, keyed by the engine's stable network and ad ids.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet


class Investigation(AuditedModel):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    current_scan = models.ForeignKey("online.Scan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    risk_weights = models.JSONField(default=dict, blank=True)  # accepted weight changes: feature -> weight

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SourceFile(AuditedModel):
    """An input of the investigation: a file uploaded into its directory, or a path under an allowed root."""

    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        SERVER_PATH = "path", _("Server path")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=255)
    path = models.CharField(max_length=1000)  # absolute path on the server
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.name


class Scan(AuditedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="scans")
    task = models.ForeignKey("core.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    workspace = models.CharField(max_length=1000)
    summary = models.JSONField(default=dict, blank=True)
    reviews_carried = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.investigation_id}:{self.pk}"


class Label(models.TextChoices):
    LIKELY_TRAFFICKING = "likely_trafficking", _("Likely trafficking")
    POSSIBLE_MINOR = "possible_minor", _("Possible minor")
    INDEPENDENT = "independent", _("Independent")
    SPAM_SCAM = "spam_scam", _("Spam or scam")
    NOT_RELEVANT = "not_relevant", _("Not relevant")
    NEEDS_INFO = "needs_info", _("Needs more information")


# Labels that count as a relevant network when ranking is measured (precision at k).
RELEVANT_LABELS = {Label.LIKELY_TRAFFICKING, Label.POSSIBLE_MINOR}


class NetworkReview(AuditedModel):
    """What reviewers decided about one network, kept across re-scans by its stable id (and an anchor ad)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="reviews")
    network_id = models.CharField(max_length=40)
    anchor_ad_id = models.CharField(max_length=200, blank=True)  # finds the network again if its id changes
    label = models.CharField(_("label"), max_length=20, choices=Label.choices, blank=True)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    labelled_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    risk_score_at_label = models.FloatField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["investigation", "network_id"], name="online_review_one_per_network")
        ]

    def __str__(self) -> str:
        return self.network_id


class AdLabel(AuditedModel):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="ad_labels")
    ad_id = models.CharField(max_length=200)
    network_id = models.CharField(max_length=40, blank=True)
    label = models.CharField(_("label"), max_length=20, choices=Label.choices)
    labelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    labelled_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "ad_id"], name="online_adlabel_one_per_ad")]

    def __str__(self) -> str:
        return self.ad_id


class AdCorrection(AuditedModel):
    """A reviewer's correction of the engine's grouping, kept by ad id across re-scans.

    ``remove``: the ad does not belong with the others; ``split``: the ads that share ``part`` belong together
    but apart from the rest of the network. ``evidence`` keeps the kinds of link that had put the ad in the
    network (phone, email, handle, image, text), so calibration can show which evidence reviewers cut.
    """

    class Action(models.TextChoices):
        REMOVE = "remove", _("Removed from the network")
        SPLIT = "split", _("Split off")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="corrections")
    ad_id = models.CharField(max_length=200)
    network_id = models.CharField(max_length=40, blank=True)
    action = models.CharField(_("correction"), max_length=10, choices=Action.choices)
    part = models.CharField(max_length=40, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["investigation", "ad_id"], name="online_adcorrection_one_per_ad")
        ]

    def __str__(self) -> str:
        return self.ad_id


class ReviewNote(AuditedModel):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="notes")
    network_id = models.CharField(max_length=40)
    ad_id = models.CharField(max_length=200, blank=True)
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class EvidencePackage(AuditedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="packages")
    network_id = models.CharField(max_length=40)
    path = models.CharField(max_length=1000)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    n_files = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"package {self.pk}"


class CustodyEvent(models.Model):
    """Chain of custody of an evidence package: who created, viewed, exported and verified it, and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        VIEWED = "viewed", _("Viewed")
        EXPORTED = "exported", _("Exported")
        VERIFIED = "verified", _("Verified")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(EvidencePackage, on_delete=models.CASCADE, related_name="custody")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class NoticeStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REMOVED = "removed", _("Removed")
    REFUSED = "refused", _("Refused")
    NO_RESPONSE = "no_response", _("No response")


class PlatformNotice(AuditedModel):
    """A notice to the platform hosting a network's ads, with the date of every status it reached."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="notices")
    network_id = models.CharField(max_length=40)
    platform = models.CharField(_("platform"), max_length=200)
    ad_urls = models.JSONField(default=list)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=15, choices=NoticeStatus.choices, default=NoticeStatus.DRAFTED)
    drafted_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    no_response_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-drafted_at"]

    def __str__(self) -> str:
        return f"{self.platform} ({self.status})"


class WeightProposal(AuditedModel):
    """Risk weight changes proposed from reviewers' labels; applied only when an analyst accepts them."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="proposals")
    weights = models.JSONField(default=dict)  # feature -> proposed weight
    metrics = models.JSONField(default=dict)  # precision at k before and after, on the labelled networks
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"proposal {self.pk}"
