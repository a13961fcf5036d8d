"""Support that never depends on criminal proceedings: assessment, services, plan tasks, approvals, and
cooperation with police and courts kept in its own section (nothing reads it to decide anything)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.cases import vocabulary as v
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet


class Assessment(AuditedModel, models.Model):
    """The individual needs assessment (and for a child, the best-interests view that goes with it)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="assessment")
    needs = models.JSONField(_("needs"), default=list, blank=True)
    summary = EncryptedTextField(_("assessment notes"), blank=True)
    assessed_on = models.DateField(_("assessed on"), default=date.today)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self) -> str:
        return str(self.case_id)

    @property
    def need_labels(self) -> list[str]:
        names = dict(v.Need.choices)
        return [str(names.get(need, need)) for need in self.needs]


class Service(AuditedModel, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined by the person")
        STOPPED = "stopped", _("Stopped")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=16, choices=v.ServiceKind.choices)
    provider = models.CharField(_("provider"), max_length=200)
    start_on = models.DateField(_("starts"), default=date.today)
    end_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "-id"]
        indexes = [models.Index(fields=["end_on"], name="service_end")]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class PlanTask(AuditedModel, models.Model):
    """One step of the case plan: a goal, the task towards it, its due date and its follow-up."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    goal = models.CharField(_("goal"), max_length=200)
    task = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        indexes = [models.Index(fields=["done_on", "due_on"], name="plantask_due")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.due_on}"


class Approval(AuditedModel, models.Model):
    """A supervisor's decision on an assessment, a case plan or a closure."""

    class Subject(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment")
        PLAN = "plan", _("Case plan")
        CLOSURE = "closure", _("Closure")
        SAFETY = "safety", _("Urgent safety concern")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="approvals")
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    request_note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decision_note = models.CharField(_("supervisor's note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["decision", "requested_at"], name="approval_pending")]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.subject}:{self.decision}"


class Cooperation(AuditedModel, models.Model):
    """Cooperation with police and courts. Recorded for the person's benefit (protection, redress) only:
    no service, referral or eligibility rule reads this model (tests/cases/test_services.py proves it)."""

    class Stance(models.TextChoices):
        NOT_DISCUSSED = "not_discussed", _("Not discussed yet")
        CONSIDERING = "considering", _("Considering")
        DECLINED = "declined", _("Declines to cooperate")
        COOPERATING = "cooperating", _("Cooperating")
        WITHDRAWN = "withdrawn", _("Withdrew cooperation")

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="cooperation")
    stance = models.CharField(_("the person's choice"), max_length=14, choices=Stance.choices)
    authority = models.CharField(_("authority"), max_length=120, blank=True)
    proceedings = models.CharField(_("proceedings"), max_length=200, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    updated_on = models.DateField(_("updated on"), default=date.today)

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation with police and courts")
        verbose_name_plural = _("cooperation with police and courts")

    def __str__(self) -> str:
        return str(self.case_id)
