"""Granular, revocable consent: what the person agreed to, who told them, when, how and in which language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.querysets import RestrictedQuerySet


class Consent(AuditedModel, models.Model):
    class Scope(models.TextChoices):
        SERVICES = "services", _("Receiving services")
        SHARING = "sharing", _("Sharing with a named organisation")
        STATISTICS = "statistics", _("Non-identifying statistics")
        LAW_ENFORCEMENT = "law_enforcement", _("Contact with law enforcement")

    class Share(models.TextChoices):
        """What a sharing consent allows to leave the organisation."""

        SUMMARY = "summary", _("Case summary without identity (exploitation, countries, needs)")
        SERVICES = "services", _("Services and assessment")
        VIEWS = "views", _("The person's views and wishes")
        IDENTITY = "identity", _("Identifying data (name, date of birth, contact)")

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person, spoken")
        INTERPRETER = "interpreter", _("In person, with an interpreter")
        WRITTEN = "written", _("Written information sheet")
        PHONE = "phone", _("By telephone")
        VIDEO = "video", _("By video call")

    class GivenBy(models.TextChoices):
        PERSON = "person", _("The person")
        GUARDIAN = "guardian", _("Guardian or representative")
        BOTH = "both", _("The person and the guardian")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("consent to"), max_length=16, choices=Scope.choices)
    partner = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation (for sharing)"),
    )
    shares = models.JSONField(_("what may be shared"), default=list, blank=True)
    granted = models.BooleanField(_("agreed"), default=True, help_text=_("Untick to record a refusal."))
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.PERSON)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("informed by")
    )
    informed_on = models.DateField(_("informed on"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices, default=Method.IN_PERSON)
    language = models.CharField(_("language"), max_length=40, help_text=_("The language the person was informed in."))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_note = models.CharField(_("revocation note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-informed_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["case", "scope"], name="consent_case_scope")]
        permissions = [("override_consent", "Can refer beyond consent, with a reason (audited and flagged)")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.scope}"

    @property
    def is_active(self) -> bool:
        return self.granted and self.revoked_on is None
