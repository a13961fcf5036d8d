from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from threadline.audit.models import AppendOnlyError, AuditEntry
from threadline.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_writes_are_audited_with_field_names_but_no_content(org, make_user):
    user = make_user(org, email="audited@agency.example")
    user.display_name = "A changed name"
    user.save()
    entry = AuditEntry.objects.filter(object_type="accounts.user", action="update").latest("id")
    assert entry.fields == ["display_name"]
    assert "A changed name" not in str(entry.__dict__)
    creates = AuditEntry.objects.filter(action="create").values_list("object_type", flat=True)
    assert {"accounts.organisation", "accounts.user", "accounts.membership"} <= set(creates)


def test_chain_verifies_and_entries_cannot_be_changed_through_the_orm(org):
    audit_record(action="export", object_type="x.y", object_id="1")
    assert audit_verify().ok
    entry = AuditEntry.objects.latest("id")
    entry.note = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_database_refuses_updates_of_audit_entries(org):
    audit_record(action="export", object_type="x.y", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET note = 'tampered'")


def _tamper(entry_id: int, sql: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_change")
        cursor.execute(sql, [entry_id])


def test_verify_finds_the_first_tampered_entry(org):
    for n in range(5):
        audit_record(action="view", object_type="cases.case", object_id=str(n))
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    _tamper(ids[-3], "UPDATE audit_auditentry SET object_id = 'other' WHERE id = %s")
    result = audit_verify()
    assert not result.ok and result.first_broken_id == ids[-3]
    assert "hash" in result.reason


def test_verify_finds_a_deleted_entry(org):
    for n in range(4):
        audit_record(action="view", object_type="cases.case", object_id=str(n))
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    _tamper(ids[-2], "DELETE FROM audit_auditentry WHERE id = %s")
    result = audit_verify()
    assert not result.ok and result.first_broken_id == ids[-1]


def test_verify_finds_a_truncated_tail(org):
    for n in range(3):
        audit_record(action="view", object_type="cases.case", object_id=str(n))
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    _tamper(last, "DELETE FROM audit_auditentry WHERE id = %s")
    result = audit_verify()
    assert not result.ok and "missing at the end" in result.reason
