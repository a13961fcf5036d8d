"""Writing and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from threadline.audit.models import AuditEntry, ChainHead
from threadline.core import context

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "fields",
    "note",
    "request_id",
    "via",
    "ip_address",
    "prev_hash",
)


def _canonical(entry: AuditEntry) -> bytes:
    data = {name: getattr(entry, name) for name in HASHED_FIELDS}
    data["at"] = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def label_for(obj) -> tuple[str, str]:
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk)


def audit_record(
    *,
    action: str,
    object_type: str = "",
    object_id: str = "",
    fields: list[str] | None = None,
    note: str = "",
    actor=None,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append one entry. Who and which request come from the bound request context unless given."""
    ctx = context.current()
    actor_id = getattr(actor, "pk", None) if actor is not None else (ctx.user_id if ctx else None)
    actor_label = ""
    if actor is not None:
        actor_label = getattr(actor, "email", "") or ""
    elif actor_id is not None:
        from threadline.accounts.models import User

        actor_label = User.objects.filter(pk=actor_id).values_list("email", flat=True).first() or ""
    if organisation_id is None and ctx is not None:
        organisation_id = ctx.organisation_id
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = ChainHead.objects.create(pk=1, last_hash=GENESIS, count=0)
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            fields=sorted(fields or []),
            note=note[:200],
            request_id=(ctx.request_id if ctx else "")[:64],
            via=(ctx.via if ctx else "cli")[:10],
            ip_address=ctx.ip_address if ctx else None,
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        ChainHead.objects.filter(pk=1).update(last_hash=entry.hash, count=head.count + 1)
    return entry


def audit_object(action: str, obj, *, fields: list[str] | None = None, note: str = "") -> AuditEntry:
    object_type, object_id = label_for(obj)
    org_id = _organisation_id_of(obj)
    return audit_record(
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        note=note,
        organisation_id=org_id,
    )


def _organisation_id_of(obj) -> int | None:
    path = getattr(type(obj), "organisation_field", "organisation")
    if path == "pk":
        return obj.pk
    *parents, last = path.split("__")
    value = obj
    for part in parents:
        value = getattr(value, part, None)
        if value is None:
            return None
    return getattr(value, f"{last.removesuffix('_id')}_id", None)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first entry whose hash or link does not hold."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != expected_prev:
                return VerifyResult(False, checked, entry.pk, "its link to the previous entry is broken")
            if entry_hash(entry) != entry.hash:
                return VerifyResult(False, checked, entry.pk, "its content does not match its hash")
            expected_prev = entry.hash
            checked += 1
            last_id = entry.pk
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.count != checked):
        return VerifyResult(False, checked, None, "entries are missing at the end of the log")
    return VerifyResult(True, checked)
