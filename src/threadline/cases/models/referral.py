"""Referrals and transfers. The sending organisation owns ``Referral``; the receiving one sees the same row
as ``IncomingReferral`` and only its ``shared_*`` snapshot, which holds exactly what consent allowed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet


class Referral(AuditedModel, models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral for services (the case stays here)")
        TRANSFER = "transfer", _("Transfer (the other organisation takes the case over)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_sent")
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to organisation"),
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REFERRAL)
    services = models.JSONField(_("services asked for"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Consent override: separate permission, a reason, audited and flagged on both sides.
    consent_override = models.BooleanField(_("consent overridden"), default=False)
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)

    # What the receiving organisation sees: only what consent allowed at the time of sending.
    shared = models.JSONField(default=dict, blank=True)
    shared_identity = EncryptedTextField(blank=True)

    response_reason = models.CharField(_("reason for the answer"), max_length=300, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    received_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="arrived_by"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["to_organisation", "status", "-created_at"], name="referral_to_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"


class IncomingReferral(Referral):
    """The receiving organisation's view of a referral: scoped by ``to_organisation``."""

    organisation_field = "to_organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("incoming referral")
        verbose_name_plural = _("incoming referrals")
