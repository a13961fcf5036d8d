"""Writing and verifying the audit chain.

Who acts and in which request come from the request context (``threadline.core.context``), which the
middleware, the API authentication, the task worker and the CLI bind; a caller may name the actor explicitly
(sign-in, before the context knows the user). The audit app never imports the user model.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from threadline.audit import chain
from threadline.audit.models import AuditEntry, ChainHead
from threadline.core import context
from threadline.core.crypto import KeyringError

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
    if entry.key_version is not None:  # entries from before the chain was keyed keep their original form
        data["key_version"] = entry.key_version
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: AuditEntry) -> str:
    """The entry's HMAC under its key version (plain SHA-256 for a legacy entry without one)."""
    return chain.sign(entry.key_version, _canonical(entry))


def _sign_head(*, count: int, last_id: int | None, last_hash: str, version: int) -> str:
    return chain.sign(version, chain.head_message(count, last_id, last_hash), purpose=b"head")


class ChainBroken(Exception):
    """The chain does not verify, so its head must not be signed into a checkpoint."""


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
    if actor is not None:
        actor_id, actor_label = getattr(actor, "pk", None), getattr(actor, "email", "") or ""
    else:
        actor_id, actor_label = (ctx.user_id, ctx.actor_label) if ctx else (None, "")
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
            key_version=chain.current_version(),
        )
        entry.hash = entry_hash(entry)
        entry.save()
        count = head.count + 1
        ChainHead.objects.filter(pk=1).update(
            last_hash=entry.hash,
            count=count,
            last_id=entry.pk,
            key_version=entry.key_version,
            mac=_sign_head(count=count, last_id=entry.pk, last_hash=entry.hash, version=entry.key_version),
        )
    return entry


def audit_seal() -> AuditEntry | None:
    """Sign a chain that has no keyed entry yet (written before the chain was keyed): one keyed entry after
    the legacy ones binds them under the key. Run by ``threadline migrate``; does nothing otherwise."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.mac:
        return None
    return audit_record(action=AuditEntry.Action.RUN, object_type="audit.chainhead", note="audit chain keyed")


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


def audit_denied(*, note: str) -> AuditEntry:
    """A permission check refused the current request (``threadline.core.auditing.denied``)."""
    return audit_record(action=AuditEntry.Action.DENIED, note=note[:200])


# (request id, objects already audited as refused in that request): one entry per object per request.
_refused_in_request: ContextVar[tuple[str, set[tuple[str, str]]] | None] = ContextVar(
    "threadline_refused_in_request", default=None
)


def audit_refused_read(*, object_type: str, object_id: str, organisation_id: int) -> None:
    """A restricted lookup refused an object of ``organisation_id`` (``threadline.core.auditing.refused_read``):
    recorded in that organisation's log, once per object per request."""
    ctx = context.current()
    request_id = ctx.request_id if ctx else ""
    seen = _refused_in_request.get()
    if seen is None or seen[0] != request_id or not request_id:
        seen = (request_id, set())
        _refused_in_request.set(seen)
    if (object_type, object_id) in seen[1]:
        return
    seen[1].add((object_type, object_id))
    audit_record(action=AuditEntry.Action.DENIED, object_type=object_type, object_id=object_id, note="refused read",
                 organisation_id=organisation_id)  # fmt: skip


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


def _check_entry(entry: AuditEntry, expected_prev: str, keyed_seen: bool) -> str:
    """Why the entry breaks the chain, or ''."""
    if entry.prev_hash != expected_prev:
        return "its link to the previous entry is broken"
    if entry.key_version is None and keyed_seen:
        return "it is not signed, but entries before it are"
    try:
        if entry_hash(entry) != entry.hash:
            return "its content does not match its signature"
    except KeyringError as exc:
        return str(exc)
    return ""


def _check_head(head: ChainHead | None, at_head: tuple[int, int | None, str], keyed: bool) -> str:
    checked, last_id, last_hash = at_head
    if head is None:
        return "the chain head is missing" if checked else ""
    if head.last_hash != last_hash or head.count != checked:
        return "entries are missing at the end of the log"
    if not head.mac:
        return "the chain head is not signed" if keyed else ""
    if head.last_id != last_id or head.key_version is None:
        return "the chain head does not match the last entry"
    message = chain.head_message(head.count, head.last_id, head.last_hash)
    try:
        signed = chain.matches(head.key_version, message, head.mac, purpose=b"head")
    except KeyringError as exc:
        return str(exc)
    return "" if signed else "the chain head's signature does not match (it was rewritten)"


def audit_verify(*, batch_size: int = 5000, checkpoint: chain.Checkpoint | None = None) -> VerifyResult:
    """Walk the chain in id order; report the first entry whose signature or link does not hold, a head that
    does not match, and, given an exported checkpoint, entries that were there at the checkpoint and are gone."""
    if checkpoint is not None:
        try:
            signature_ok = checkpoint.signature_ok()
        except KeyringError as exc:
            return VerifyResult(False, 0, None, f"the checkpoint cannot be checked: {exc}")
        if not signature_ok:
            return VerifyResult(False, 0, None, "the checkpoint's signature does not match (it was altered)")
    # The head is read before the walk: entries appended meanwhile are checked but not counted against it.
    head = ChainHead.objects.filter(pk=1).first()
    at_head = None
    expected_prev = GENESIS
    checked = 0
    last_id: int | None = None
    keyed_seen = reached_checkpoint = False
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id or 0).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            reason = _check_entry(entry, expected_prev, keyed_seen)
            if reason:
                return VerifyResult(False, checked, entry.pk, reason)
            keyed_seen = keyed_seen or entry.key_version is not None
            expected_prev = entry.hash
            checked += 1
            last_id = entry.pk
            if head is not None and head.last_id == entry.pk:
                at_head = (checked, entry.pk, entry.hash)
            if checkpoint is not None and entry.pk == checkpoint.last_id:
                reached_checkpoint = True
                if checked != checkpoint.count or entry.hash != checkpoint.last_hash:
                    return VerifyResult(False, checked, entry.pk, "it does not match the checkpoint")
    if checkpoint is not None and not reached_checkpoint and checkpoint.count:
        return VerifyResult(
            False, checked, None, "entries recorded in the checkpoint are missing (the log was truncated or deleted)"
        )
    reason = _check_head(head, at_head or (checked, last_id, expected_prev), keyed_seen)
    if reason:
        return VerifyResult(False, checked, None, reason)
    return VerifyResult(True, checked)


def audit_checkpoint() -> chain.Checkpoint:
    """The signed head, to keep outside the database (``threadline audit checkpoint``). The chain is verified
    first: signing the head of a tampered log would vouch for it."""
    result = audit_verify()
    if not result.ok:
        raise ChainBroken(result.reason)
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    last_id, last_hash = last if last else (0, GENESIS)
    return chain.Checkpoint(
        count=result.checked,
        last_id=last_id,
        last_hash=last_hash,
        created_at=timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        key_version=chain.current_version(),
    ).signed()
