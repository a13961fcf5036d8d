"""What consent allows, as plain functions over consent records (hypothesis-tested in tests/cases).

The rule for every question is the same: among the records for that scope (and, for sharing, that
organisation), the most recent one decides; a refusal or a revocation means no. Nothing else is read:
cooperation with police or courts never enters these rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

SERVICES = "services"
SHARING = "sharing"
STATISTICS = "statistics"
LAW_ENFORCEMENT = "law_enforcement"

SHARE_SUMMARY = "summary"
SHARE_SERVICES = "services"
SHARE_VIEWS = "views"
SHARE_IDENTITY = "identity"
ALL_SHARES = (SHARE_SUMMARY, SHARE_SERVICES, SHARE_VIEWS, SHARE_IDENTITY)


class ConsentLike(Protocol):
    id: int | None
    scope: str
    partner_id: int | None
    shares: list[str]
    granted: bool
    informed_on: date
    revoked_on: date | None


@dataclass(frozen=True)
class ConsentFact:
    """A consent record reduced to what the rules need (tests build these directly)."""

    id: int
    scope: str
    granted: bool
    informed_on: date
    partner_id: int | None = None
    shares: tuple[str, ...] = ()
    revoked_on: date | None = None


def _deciding(records: Iterable[ConsentLike], scope: str, partner_id: int | None = None) -> ConsentLike | None:
    relevant = [r for r in records if r.scope == scope and (scope != SHARING or r.partner_id == partner_id)]
    if not relevant:
        return None
    return max(relevant, key=lambda r: (r.informed_on, r.id or 0))


def _active(record: ConsentLike | None) -> bool:
    return record is not None and record.granted and record.revoked_on is None


def allows(records: Iterable[ConsentLike], scope: str) -> bool:
    """Whether consent for ``scope`` (services, statistics, law_enforcement) is in force."""
    return _active(_deciding(list(records), scope))


def shares_allowed(records: Iterable[ConsentLike], partner_id: int) -> frozenset[str]:
    """What may be shared with one named organisation: empty unless a sharing consent for it is in force."""
    record = _deciding(list(records), SHARING, partner_id)
    if not _active(record):
        return frozenset()
    return frozenset(s for s in record.shares if s in ALL_SHARES)


def may_refer(records: Iterable[ConsentLike], partner_id: int, requested: Iterable[str]) -> bool:
    """A referral is within consent when something may be shared with that organisation and every requested
    part is allowed."""
    allowed = shares_allowed(records, partner_id)
    wanted = set(requested)
    return bool(allowed) and wanted <= allowed
