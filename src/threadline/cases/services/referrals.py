"""Referrals and transfers to partner organisations: only what the person agreed to share leaves."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.audit.services import audit_object
from threadline.cases import consent_rules
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    IDENTITY_FIELDS,
    SUMMARY_FIELDS,
    Assessment,
    Case,
    ChildView,
    Referral,
    ReferralPartner,
    Service,
)
from threadline.cases.services.case import case_open
from threadline.cases.services.guards import ConsentRequired, case_consents, require_open
from threadline.core.permissions import has_perm


def referral_targets(*, organisation):
    """The organisations this one may refer to: its configured partners."""
    from threadline.accounts.models import Organisation

    ids = ReferralPartner.objects.filter(organisation=organisation).values_list("partner_id", flat=True)
    return Organisation.objects.filter(pk__in=list(ids), is_active=True)


def _plain(value):
    """A case field's value as JSON keeps it: dates as ISO text, multiple choices as a list."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _snapshot(case: Case, shares: set[str]) -> tuple[dict, str]:
    """What leaves the organisation: only the parts in ``shares``. Identity and views are encrypted at rest."""
    import json

    shared: dict[str, Any] = {"code": case.code, "parts": sorted(shares)}
    secret: dict[str, Any] = {}
    if consent_rules.SHARE_SUMMARY in shares:
        assessment = Assessment.objects.filter(case=case).first()
        shared["summary"] = {
            **{name: _plain(getattr(case, name)) for name in SUMMARY_FIELDS},
            "needs": list(assessment.needs) if assessment else [],
            "safety_concerns": list(case.safety_concerns),
        }
    if consent_rules.SHARE_SERVICES in shares:
        shared["services"] = [
            {
                "kind": s.kind,
                "provider": s.provider,
                "start_on": s.start_on.isoformat(),
                "end_on": s.end_on.isoformat() if s.end_on else None,
                "status": s.status,
                "outcome": s.outcome,
            }
            for s in Service.objects.filter(case=case).order_by("start_on", "id")
        ]
    if consent_rules.SHARE_VIEWS in shares:
        secret["views"] = [
            {"topic": cv.topic, "text": cv.text, "recorded_on": cv.recorded_on.isoformat()}
            for cv in ChildView.objects.filter(case=case).order_by("recorded_on", "id")
        ]
    if consent_rules.SHARE_IDENTITY in shares:
        secret["identity"] = {name: getattr(case, name) for name in IDENTITY_FIELDS}
    return shared, (json.dumps(secret) if secret else "")


@transaction.atomic
def referral_create(
    *,
    case: Case,
    user,
    to_organisation,
    reason: str,
    kind: str = Referral.Kind.REFERRAL,
    services: list[str] | tuple[str, ...] = (),
    shares: list[str] | tuple[str, ...] = (consent_rules.SHARE_SUMMARY,),
    override_reason: str = "",
) -> Referral:
    """Refer or transfer a case, sharing only what the person agreed to share with that organisation.

    Beyond consent only with ``cases.override_consent`` and a reason: the referral is flagged on both sides and
    the override is audited on its own. Cooperation with police or courts plays no part.
    """
    require_open(case)
    if not referral_targets(organisation=case.organisation).filter(pk=to_organisation.pk).exists():
        raise ValidationError({"to_organisation": _("This organisation is not a referral partner.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the referral.")})
    wanted = set(shares) or {consent_rules.SHARE_SUMMARY}
    if wanted - set(consent_rules.ALL_SHARES):
        raise ValidationError({"shares": _("Unknown kind of data.")})
    within = consent_rules.may_refer(case_consents(case), to_organisation.pk, wanted)
    override = False
    if not within:
        if not override_reason.strip():
            raise ConsentRequired(_("The person has not agreed to share this with that organisation."))
        if not has_perm(user, "cases.override_consent", case.organisation_id):
            raise PermissionDenied(_("Overriding consent needs a separate permission."))
        override = True
    shared, secret = _snapshot(case, wanted)
    referral = Referral.objects.create(
        organisation=case.organisation,
        to_organisation=to_organisation,
        case=case,
        kind=kind,
        services=sorted(set(services) & set(v.Need.values)),
        reason=reason.strip()[:300],
        created_by=user,
        consent_override=override,
        override_reason=override_reason.strip()[:300] if override else "",
        shared=shared,
        shared_identity=secret,
    )
    if override:
        audit_object("consent_override", referral, note="referral beyond consent")
    return referral


def _require_pending(referral: Referral) -> None:
    if referral.status != Referral.Status.PENDING:
        raise ValidationError(_("This referral has already been answered."))


@transaction.atomic
def referral_accept(*, referral: Referral, user, reason: str = "") -> Case:
    """The receiving organisation accepts: it opens its own case from what was shared (it controls that record).
    A transfer closes the sending organisation's case as transferred."""
    import json

    _require_pending(referral)
    summary = referral.shared.get("summary", {})
    secret = json.loads(referral.shared_identity) if referral.shared_identity else {}
    identity = secret.get("identity", {})
    details: dict[str, Any] = {
        name: summary[name]
        for name in (
            "child_status",
            "gender",
            "age_at_registration",
            "citizenship",
            "exploitation",
            "other_exploitation",
            "means_of_control",
            "recruitment",
            "recruiter_relation",
            "country_of_exploitation",
            "transit_countries",
        )
        if summary.get(name) not in (None, "")
    }
    details.update({name: value for name, value in identity.items() if name in IDENTITY_FIELDS and value})
    for name in ("reflection_start", "reflection_end"):
        if summary.get(name):
            details[name] = date.fromisoformat(summary[name])
    details["identification_method"] = v.IdentificationMethod.OTHER_NGO
    new_case = case_open(
        organisation=referral.to_organisation, user=user, received_from=referral.organisation, **details
    )
    for item in secret.get("views", []):
        ChildView.objects.create(
            case=new_case,
            topic=item["topic"],
            text=item["text"],
            recorded_on=date.fromisoformat(item["recorded_on"]),
            recorded_by=None,
        )
    referral.status = Referral.Status.ACCEPTED
    referral.response_reason = reason.strip()[:300]
    referral.responded_by = user
    referral.responded_at = timezone.now()
    referral.received_case = new_case
    referral.save()
    if referral.kind == Referral.Kind.TRANSFER:
        source = referral.case
        source.status = v.Status.TRANSFERRED
        source.closed_on = timezone.localdate()
        source.closure_reason = "transferred"
        source.save()
    return new_case


@transaction.atomic
def referral_reject(*, referral: Referral, user, reason: str) -> Referral:
    _require_pending(referral)
    if not reason.strip():
        raise ValidationError({"response_reason": _("Give the reason for rejecting.")})
    referral.status = Referral.Status.REJECTED
    referral.response_reason = reason.strip()[:300]
    referral.responded_by = user
    referral.responded_at = timezone.now()
    referral.shared_identity = ""  # a rejected referral keeps no identifying data at the receiver
    referral.save()
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, user, reason: str = "") -> Referral:
    _require_pending(referral)
    referral.status = Referral.Status.WITHDRAWN
    referral.response_reason = reason.strip()[:300]
    referral.shared_identity = ""
    referral.save()
    return referral
