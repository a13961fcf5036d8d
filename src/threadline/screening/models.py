"""Screenings, the instruments organisations upload, and the referral contacts they configure.

A screening never records a person's name: a pseudonymous reference is enough. Notes a worker types may still
identify someone, so they are encrypted at rest. The instrument id, version and content digest used are kept
with the result so that it can be reproduced.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet


class Outcome(models.TextChoices):
    """The engine's outcomes; the labels are the engine's exact wordings (never "not a victim")."""

    PRESUMED_VICTIM = "presumed_victim", _("presumed victim — reasonable grounds")
    FURTHER_ASSESSMENT = "further_assessment", _("indicators present — further assessment recommended")
    NO_INDICATORS = "no_indicators", _("no indicators identified at this time")


class OrganisationInstrument(AuditedModel, models.Model):
    """One version of an instrument file uploaded by an organisation. Rows are never edited, only retired."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="screening_instruments"
    )
    instrument_id = models.CharField(_("instrument id"), max_length=100)
    version = models.CharField(_("version"), max_length=50)
    title = models.CharField(_("title"), max_length=300)
    content = models.JSONField(_("content"), help_text=_("The validated instrument as data."))
    digest = models.CharField(_("content digest"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    is_active = models.BooleanField(_("offered for new screenings"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"content"}

    class Meta:
        ordering = ["instrument_id", "-created_at"]
        verbose_name = _("organisation instrument")
        verbose_name_plural = _("organisation instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument_id", "version"], name="screening_instrument_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.version}"


class ReferralContact(AuditedModel, models.Model):
    """A service the organisation refers people to (a service's details, never a victim's)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="screening_referral_contacts"
    )
    name = models.CharField(_("service"), max_length=200)
    description = models.CharField(_("what they offer"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    for_children = models.BooleanField(_("for children"), default=True)
    for_adults = models.BooleanField(_("for adults"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("referral contact")
        verbose_name_plural = _("referral contacts")

    def __str__(self) -> str:
        return self.name


class Screening(AuditedModel, models.Model):
    """One guided interview against one instrument version, answered one dimension at a time.

    Stable attributes other areas read (cases opens a protection case from a screening): ``organisation``,
    ``is_child``, ``instrument_id``, ``outcome``, ``pk``.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class AgeGroup(models.TextChoices):
        CHILD = "child", _("Under 18")
        ADULT = "adult", _("18 or older")
        UNKNOWN = "unknown", _("Not known (treated as a child)")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="screenings")
    reference = models.CharField(
        _("pseudonymous reference"),
        max_length=40,
        help_text=_("A code that does not identify the person, never a name."),
    )
    age_group = models.CharField(_("age"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.CHILD)
    is_child = models.BooleanField(_("child"), default=True)
    instrument_id = models.CharField(_("instrument id"), max_length=100)
    instrument_version = models.CharField(_("instrument version"), max_length=50)
    instrument_digest = models.CharField(_("instrument content digest"), max_length=64)
    instrument_upload = models.ForeignKey(
        OrganisationInstrument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screenings",
        help_text=_("Set when the instrument is one the organisation uploaded."),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True, default="")
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    positive_dimensions = models.JSONField(_("positive dimensions"), default=list, blank=True)
    safety = models.JSONField(_("immediate safety answers"), default=dict, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"updated_at"}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        indexes = [models.Index(fields=["organisation", "status", "created_at"])]
        permissions = [("summarise_screening", "See screening statistics")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.instrument_id} {self.instrument_version})"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_possible_victim(self) -> bool:
        """Presumed victim or indicators present: the person gets next steps."""
        return self.outcome in {Outcome.PRESUMED_VICTIM, Outcome.FURTHER_ASSESSMENT}

    def notes_by_dimension(self) -> dict[str, str]:
        if not self.notes:
            return {}
        try:
            data = json.loads(self.notes)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def set_notes_by_dimension(self, notes: dict[str, str]) -> None:
        cleaned = {k: v for k, v in notes.items() if v.strip()}
        self.notes = json.dumps(cleaned, ensure_ascii=False, sort_keys=True) if cleaned else ""
