"""The rules every case write checks first: the case is open, and the person agreed (consent)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from threadline.cases import consent_rules
from threadline.cases.models import (
    Case,
    Consent,
)


class ConsentRequired(PermissionDenied):
    """The person has not agreed to this (or revoked it). Never raised because of police cooperation."""


def case_consents(case: Case) -> list[Consent]:
    return list(Consent.objects.filter(case=case))


def case_allows(*, case: Case, scope: str) -> bool:
    return consent_rules.allows(case_consents(case), scope)


def require_consent(case: Case, scope: str) -> None:
    if not case_allows(case=case, scope=scope):
        raise ConsentRequired(_("The person has not agreed to this, or has revoked their consent."))


def require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."))
