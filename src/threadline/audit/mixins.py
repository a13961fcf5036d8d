"""Audit as a model feature and a view feature, so no view writes audit calls by hand.

``AuditedModel``: every create, update (changed field names only) and delete is appended to the audit log in
the same transaction as the write. ``AuditReadMixin``: a detail view of a sensitive record logs the read.
"""

from __future__ import annotations

from django.db import models, transaction

from threadline.audit.services import audit_object


class AuditedModel(models.Model):
    audit_exclude: set[str] = set()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=False))
        return instance

    def _audit_changed_fields(self) -> list[str]:
        loaded = getattr(self, "_audit_loaded", None)
        names = []
        for field in self._meta.concrete_fields:
            if field.attname in self.audit_exclude or field.name in self.audit_exclude or field.primary_key:
                continue
            if loaded is None or (field.attname in loaded and loaded[field.attname] != getattr(self, field.attname)):
                names.append(field.name)
        return names

    def save(self, *args, **kwargs):  # noqa: DJ012 - the mixin has no fields; from_db must come first
        creating = self._state.adding
        changed = self._audit_changed_fields()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating or changed:
                audit_object("create" if creating else "update", self, fields=changed)
        self._audit_loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            audit_object("delete", self)
            return super().delete(*args, **kwargs)


class AuditReadMixin:
    """For detail views of sensitive records: log every read (ASVS 16.3.2)."""

    audit_reads = True

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.audit_reads:
            audit_object("view", obj)
        return obj
