"""Writes on cases. Keyword-only, typed, atomic. Consent is enforced here, once, for every caller (pages,
API, other areas). Cooperation with police or courts is never read by any rule in this module."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Case,
    CaseSettings,
)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud and copied by hand


class ConsentRequired(PermissionDenied):
    """The person has not agreed to this (or revoked it). Never raised because of police cooperation."""


def _new_code() -> str:
    for _attempt in range(10):
        body = "".join(secrets.choice(CODE_ALPHABET) for _index in range(8))
        code = f"C-{body[:4]}-{body[4:]}"
        if not Case.objects.filter(code=code).exists():
            return code
    raise RuntimeError("Could not draw a free case code.")


def case_settings_for(*, organisation) -> CaseSettings:
    found = CaseSettings.objects.filter(organisation=organisation).first()
    return found or CaseSettings(organisation=organisation)


CASE_EDITABLE = {
    "full_name",
    "date_of_birth",
    "contact",
    "address",
    "child_status",
    "gender",
    "age_at_registration",
    "citizenship",
    "guardian_name",
    "guardian_contact",
    "guardian_role",
    "guardian_appointed_on",
    "recruitment",
    "recruiter_relation",
    "means_of_control",
    "exploitation",
    "other_exploitation",
    "country_of_exploitation",
    "transit_countries",
    "route_notes",
    "identification_method",
    "identified_on",
    "screening_instrument",
    "screening_outcome",
    "best_interests",
    "best_interests_on",
    "reflection_start",
    "reflection_end",
    "assigned_to",
    "opened_on",
}


def _apply(case: Case, details: dict[str, Any]) -> None:
    unknown = set(details) - CASE_EDITABLE - {"screening", "received_from", "screening_ref"}
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    for name, value in details.items():
        if name in {"citizenship", "country_of_exploitation"} and value:
            value = str(value).upper()
        setattr(case, name, value)


@transaction.atomic
def case_open(*, organisation, user, **details: Any) -> Case:
    """Open a case on reasonable grounds. The recovery and reflection period starts at once (at least 30 days)."""
    case = Case(organisation=organisation, code=_new_code(), assigned_to=user)
    _apply(case, details)
    if case.reflection_start is None:
        case.reflection_start = case.opened_on if isinstance(case.opened_on, date) else timezone.localdate()
    if case.reflection_end is None:
        days = max(case_settings_for(organisation=organisation).reflection_days, 30)
        case.reflection_end = case.reflection_start + timedelta(days=days)
    case.full_clean(exclude=["code", "organisation", "assigned_to", "received_from"])
    case.save()
    return case


SCREENING_HINTS = {
    "sexual": v.Exploitation.SEXUAL,
    "labour": v.Exploitation.FORCED_LABOUR,
    "criminal": v.Exploitation.FORCED_CRIMINALITY,
    "begging": v.Exploitation.BEGGING,
    "marriage": v.Exploitation.FORCED_MARRIAGE,
    "adoption": v.Exploitation.ILLEGAL_ADOPTION,
    "surrogacy": v.Exploitation.SURROGACY,
    "domestic": v.Exploitation.DOMESTIC_SERVITUDE,
}


def exploitation_hint(instrument_id: str) -> str:
    """The exploitation type an instrument id points to (``ilo-2009-child-sexual`` -> sexual), else unknown."""
    parts = set(str(instrument_id or "").lower().replace("_", "-").split("-"))
    for word, kind in SCREENING_HINTS.items():
        if word in parts:
            return kind
    return v.Exploitation.UNKNOWN


def case_open_from_screening(*, screening, user) -> Case:
    """Open a case prefilled from a screening: child status, exploitation hint, identified by screening, linked."""
    is_child = getattr(screening, "is_child", None)
    if is_child is True:
        child_status = v.ChildStatus.CHILD
    elif is_child is False:
        child_status = v.ChildStatus.ADULT
    else:
        child_status = v.ChildStatus.UNKNOWN
    instrument = str(getattr(screening, "instrument_id", "") or "")
    outcome = getattr(screening, "outcome", "") or ""
    screened_at = getattr(screening, "created_at", None) or getattr(screening, "screened_at", None)
    details: dict[str, Any] = {
        "child_status": child_status,
        "exploitation": exploitation_hint(instrument),
        "identification_method": v.IdentificationMethod.SCREENING,
        "identified_on": screened_at.date() if hasattr(screened_at, "date") else timezone.localdate(),
        "screening_instrument": instrument[:80],
        "screening_outcome": str(outcome)[:80],
        "screening_ref": str(screening.pk)[:40],
    }
    if _has_screening_link():
        details["screening"] = screening
    return case_open(organisation=screening.organisation, user=user, **details)


def _has_screening_link() -> bool:
    return any(f.name == "screening" for f in Case._meta.get_fields())


@transaction.atomic
def case_update(*, case: Case, user, **details: Any) -> Case:
    _apply(case, details)
    case.full_clean(exclude=["code", "organisation", "assigned_to", "received_from"])
    case.save()
    return case
