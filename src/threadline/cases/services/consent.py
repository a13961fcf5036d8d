"""Consent given, refused and revoked. Revoking sharing consent withdraws referrals no longer within it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.cases import consent_rules
from threadline.cases.models import (
    Case,
    Consent,
    Referral,
)
from threadline.cases.services.guards import case_consents
from threadline.cases.services.referrals import referral_withdraw


@transaction.atomic
def consent_record(
    *,
    case: Case,
    user,
    scope: str,
    informed_on: date,
    language: str,
    method: str = Consent.Method.IN_PERSON,
    granted: bool = True,
    given_by: str = Consent.GivenBy.PERSON,
    partner=None,
    shares: list[str] | tuple[str, ...] = (),
) -> Consent:
    """Record consent given (or refused) for one scope; sharing consent names one organisation and what may go."""
    shares = sorted(set(shares))
    if scope == Consent.Scope.SHARING:
        if partner is None:
            raise ValidationError({"partner": _("Sharing consent names the organisation it allows.")})
        if partner.pk == case.organisation_id:
            raise ValidationError({"partner": _("Choose another organisation.")})
        if granted and not shares:
            raise ValidationError({"shares": _("Choose what may be shared.")})
        unknown = set(shares) - set(consent_rules.ALL_SHARES)
        if unknown:
            raise ValidationError({"shares": _("Unknown kind of data.")})
    else:
        partner, shares = None, []
    consent = Consent(
        case=case,
        scope=scope,
        partner=partner,
        shares=shares,
        granted=granted,
        given_by=given_by,
        informed_by=user,
        informed_on=informed_on,
        method=method,
        language=language,
    )
    consent.full_clean(exclude=["case", "informed_by", "partner"])
    consent.save()
    return consent


@transaction.atomic
def consent_revoke(*, consent: Consent, user, note: str = "") -> Consent:
    """Revoke consent from today on. What was already shared stays with its recipient, who is told."""
    if consent.revoked_on is not None:
        return consent
    consent.revoked_on = timezone.localdate()
    consent.revoked_by = user
    consent.revoke_note = note[:200]
    consent.save()
    if consent.scope == Consent.Scope.SHARING:
        # A referral still waiting for an answer that is no longer within consent is withdrawn at once.
        for referral in Referral.objects.filter(
            case=consent.case, status=Referral.Status.PENDING, consent_override=False
        ):
            if not consent_rules.may_refer(
                case_consents(consent.case), referral.to_organisation_id, referral.shared.get("parts", [])
            ):
                referral_withdraw(referral=referral, user=user, reason="consent revoked")
    return consent
