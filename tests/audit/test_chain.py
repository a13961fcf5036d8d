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
    assert "signature" in result.reason


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


# --- a keyed chain: someone with database access but not the key cannot forge it (issue #18 item 14) ---------
def _unlocked() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_change")


def _recompute_without_key(start_id: int) -> None:
    """What an attacker with write access can do: recompute every hash from ``start_id`` on, and the head."""
    import hashlib

    from threadline.audit.models import ChainHead
    from threadline.audit.services import _canonical

    _unlocked()
    entries = list(AuditEntry.objects.order_by("id"))
    prev = "0" * 64
    for entry in entries:
        if entry.pk >= start_id:
            entry.prev_hash = prev
            new = hashlib.sha256(_canonical(entry)).hexdigest()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, entry.pk]
                )
            entry.hash = new
        prev = entry.hash
    ChainHead.objects.filter(pk=1).update(last_hash=prev, count=len(entries))


def _entries(n: int) -> list[int]:
    for i in range(n):
        audit_record(action="view", object_type="cases.case", object_id=str(i))
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


def test_rewriting_an_entry_and_recomputing_the_chain_is_found(org):
    ids = _entries(5)
    _unlocked()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = 'other' WHERE id = %s", [ids[-3]])
    _recompute_without_key(ids[-3])
    result = audit_verify()
    assert not result.ok and result.first_broken_id == ids[-3]


def test_deleting_the_tail_and_fixing_the_head_is_found(org):
    from threadline.audit.models import ChainHead

    ids = _entries(5)
    _unlocked()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [ids[-2]])
    new_tail = AuditEntry.objects.get(pk=ids[-3])
    ChainHead.objects.filter(pk=1).update(last_hash=new_tail.hash, count=len(ids) - 2, last_id=new_tail.pk)
    result = audit_verify()
    assert not result.ok and "head" in result.reason
    ChainHead.objects.filter(pk=1).update(mac="")
    assert not audit_verify().ok


def test_a_checkpoint_finds_a_deleted_log_and_a_replayed_head(org):
    from threadline.audit.models import ChainHead
    from threadline.audit.services import audit_checkpoint

    _entries(2)
    old_head = ChainHead.objects.values().get(pk=1)
    ids = _entries(2)
    checkpoint = audit_checkpoint()
    assert checkpoint.count == len(ids) and checkpoint.last_id == ids[-1]
    assert audit_verify(checkpoint=checkpoint).ok
    # The tail deleted and the earlier (genuinely signed) head put back: only the checkpoint tells.
    _unlocked()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id > %s", [old_head["last_id"]])
    ChainHead.objects.filter(pk=1).update(**{k: v for k, v in old_head.items() if k != "id"})
    assert audit_verify().ok
    result = audit_verify(checkpoint=checkpoint)
    assert not result.ok and "missing" in result.reason
    # Everything deleted, head included.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    ChainHead.objects.all().delete()
    assert audit_verify().ok  # an empty log looks new: this is what the checkpoint is for
    assert not audit_verify(checkpoint=checkpoint).ok


def test_an_altered_checkpoint_is_refused(org):
    from dataclasses import replace

    from threadline.audit.services import audit_checkpoint

    _entries(3)
    checkpoint = audit_checkpoint()
    forged = replace(checkpoint, count=1, last_id=AuditEntry.objects.order_by("id").first().pk)
    result = audit_verify(checkpoint=forged)
    assert not result.ok and "signature" in result.reason


def test_old_entries_still_verify_after_key_rotation(org, settings):
    import json
    from pathlib import Path

    from threadline.core import crypto
    from threadline.core.keys import keys_rotate

    _entries(2)
    keys_rotate(new_key=True)
    _entries(2)
    assert set(AuditEntry.objects.values_list("key_version", flat=True)) == {1, 2}
    assert audit_verify().ok
    # Without the old key version the entries it signed cannot be checked, and verify says so.
    path = Path(settings.ENCRYPTION_KEY_FILE)
    data = json.loads(path.read_text())
    del data["keys"]["1"]
    path.write_text(json.dumps(data))
    crypto.reset_keyring()
    result = audit_verify()
    assert not result.ok and "version 1" in result.reason


def test_a_chain_written_before_keying_verifies_and_is_sealed(org):
    import hashlib

    from django.utils import timezone

    from threadline.audit.models import ChainHead
    from threadline.audit.services import GENESIS, _canonical, audit_seal

    _unlocked()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    ChainHead.objects.all().delete()
    prev = GENESIS
    for n in range(3):  # the legacy form: plain SHA-256, no key version, an unsigned head
        entry = AuditEntry(at=timezone.now(), action="view", object_type="cases.case", object_id=str(n), prev_hash=prev)
        entry.hash = hashlib.sha256(_canonical(entry)).hexdigest()
        entry.save()
        prev = entry.hash
    ChainHead.objects.create(pk=1, last_hash=prev, count=3)
    assert audit_verify().ok
    seal = audit_seal()
    assert seal is not None and seal.key_version == 1 and audit_seal() is None
    assert audit_verify().ok
    first = AuditEntry.objects.order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = 'other' WHERE id = %s", [first.pk])
    _recompute_without_key(first.pk)  # legacy hashes recomputed, but the keyed seal cannot be
    result = audit_verify()
    assert not result.ok and result.first_broken_id == seal.pk
