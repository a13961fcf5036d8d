"""The append-only, hash-chained audit log.

Each entry records who did what to which object, in which organisation, through which request — never the
content of the record. Each entry carries an HMAC over its content and the previous entry's HMAC, keyed with
a key kept outside the database (``audit/chain.py``), and the chain head is signed the same way;
``threadline audit verify`` finds the first broken link. Entries cannot be changed through the ORM, and
database triggers refuse UPDATE (and DELETE on PostgreSQL) as a second line of defence.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.core.querysets import RestrictedQuerySet


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    _raw_delete = delete


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        VIEW = "view", _("View")
        EXPORT = "export", _("Export")
        LOGIN = "login", _("Sign in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Sign out")
        MFA = "mfa", _("Second factor")
        DENIED = "denied", _("Access refused")
        OVERRIDE = "override", _("Consent override")
        RUN = "run", _("Run")

    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True, help_text="Names of changed fields, never values.")
    note = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    via = models.CharField(max_length=10, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: The audit key version that signed the entry; empty for entries written before the chain was keyed
    #: (plain SHA-256), which stay verifiable and are sealed by the first keyed entry after them.
    key_version = models.PositiveIntegerField(null=True, blank=True)

    organisation_field = "organisation_id"
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")


class ChainHead(models.Model):
    """One row: the last hash and the count, locked while an entry is appended, and signed (``mac``) so
    that deleting the tail and rewriting the head is found."""

    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(null=True, blank=True)
    key_version = models.PositiveIntegerField(null=True, blank=True)
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.count} entries"
