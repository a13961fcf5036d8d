"""Shared infrastructure models: the database-backed task queue."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.core.querysets import RestrictedQuerySet


class TaskQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view", organisation=None) -> TaskQuerySet:
        """On top of the organisation and ``core.<action>_task``: only kinds of task whose area permission the
        user holds there (``@task(permission=...)``; a kind without one is nobody's to see), and only the
        user's own tasks unless the role may supervise tasks (``core.supervise_task``)."""
        from threadline.core.permissions import has_perm, organisations_granting
        from threadline.core.tasks import registered

        base = super().restrict(user, action, organisation)
        org_ids = organisations_granting(user, f"core.{action}_task")
        if organisation is not None:
            org_ids &= {getattr(organisation, "pk", organisation)}
        visible = models.Q(pk__in=[])
        for org_id in org_ids:
            kinds = [
                task.name
                for task in registered().values()
                if task.permission and has_perm(user, task.permission, org_id)
            ]
            scope = models.Q(organisation_id=org_id, name__in=kinds)
            if not has_perm(user, "core.supervise_task", org_id):
                scope &= models.Q(created_by=user)
            visible |= scope
        return base.filter(visible)


class Task(models.Model):
    """A background job run by ``threadline worker``. Payloads hold ids and options, never identifying data."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)
    run_after = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("supervise_task", "See and cancel the background tasks of others")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED}


class WorkerBeat(models.Model):
    """One row per running task worker, touched every poll: ``/health/`` reports a worker that stopped beating.

    A worker removes its row when it stops cleanly; a row left behind means the worker died or hangs.
    """

    worker = models.CharField(max_length=100, primary_key=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker
