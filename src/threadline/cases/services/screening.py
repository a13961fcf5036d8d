"""Opening a case from a screening: the cases area owns the hand-over (screening never imports cases; it
finds this through ``threadline.screening.handoff``, registered in ``CasesConfig.ready``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Case,
)
from threadline.cases.services.case import case_flag_safety, case_open
from threadline.core.permissions import has_perm

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


@transaction.atomic
def case_open_from_screening(*, screening, user, safety_concerns: Sequence[str] = ()) -> Case:
    """Open a case prefilled from a screening: child status, exploitation hint from the instrument id,
    identified by screening on the screening's date, and linked to it (the case page shows how the person was
    screened). Reads only ``organisation``, ``is_child``, ``instrument_id``, ``outcome``, ``pk`` (and
    ``age_group``/``created_at`` when present). ``safety_concerns`` are the screening's alarming safety
    answers (``v.SafetyConcern``): they reach the case as urgent tasks and the supervisor is told."""
    from django.db import models

    is_child = getattr(screening, "is_child", None)
    if getattr(screening, "age_group", "") == "unknown":
        child_status = v.ChildStatus.PRESUMED_CHILD
    elif is_child is True:
        child_status = v.ChildStatus.CHILD
    elif is_child is False:
        child_status = v.ChildStatus.ADULT
    else:
        child_status = v.ChildStatus.UNKNOWN
    instrument = str(getattr(screening, "instrument_id", "") or "")
    screened_at = getattr(screening, "created_at", None)
    details: dict[str, Any] = {
        "child_status": child_status,
        "exploitation": exploitation_hint(instrument),
        "identification_method": v.IdentificationMethod.SCREENING,
        "identified_on": timezone.localdate(screened_at) if screened_at else timezone.localdate(),
        "screening_instrument": instrument[:80],
        "screening_outcome": str(getattr(screening, "outcome", "") or "")[:80],
        "screening_ref": str(screening.pk)[:40],
    }
    if isinstance(screening, models.Model):
        details["screening"] = screening
    case = case_open(organisation=screening.organisation, user=user, **details)
    if safety_concerns:
        case_flag_safety(case=case, user=user, concerns=safety_concerns)
    return case


# --- The hand-over registered with the screening area (``threadline.screening.handoff``) -----------------------


def screening_case_open(*, screening, user, safety_concerns: Sequence[str] = ()) -> Case:
    """Open the protection case of a completed screening with indicators, when the user's role may open cases
    here and none was opened from it yet."""
    if not has_perm(user, "cases.add_case", screening.organisation):
        raise ValidationError(_("Your role cannot open protection cases here."))
    if Case.objects.filter(screening=screening).exists():
        raise ValidationError(_("A protection case was already opened from this screening."))
    return case_open_from_screening(screening=screening, user=user, safety_concerns=safety_concerns)


def screening_cases(*, screening, user) -> list[Case]:
    """Protection cases opened from this screening that the user may see."""
    return list(Case.objects.restrict(user, "view", screening.organisation).filter(screening=screening))


def screening_safety_flag(*, screening, user, concerns: Sequence[str]) -> None:
    """Safety answers recorded after the case opened still reach it (concerns it already has change nothing)."""
    for case in Case.objects.filter(screening=screening):
        case_flag_safety(case=case, user=user, concerns=concerns)
