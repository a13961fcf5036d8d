"""Writes on cases. Keyword-only, typed, atomic. Consent is enforced here, once, for every caller (pages,
API, other areas). Cooperation with police or courts is never read by any rule in this module."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.audit.services import audit_object
from threadline.cases import consent_rules
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Approval,
    Assessment,
    Case,
    CaseSettings,
    ChildView,
    Consent,
    Cooperation,
    PlanTask,
    Referral,
    ReferralPartner,
    Service,
)
from threadline.cases.models.case import IDENTITY_FIELDS
from threadline.core.permissions import has_perm

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


SAFETY_TASKS = {
    v.SafetyConcern.DANGER_NOW: gettext_lazy(
        "Follow the emergency procedure: make the person safe now and call the emergency services if needed."
    ),
    v.SafetyConcern.NO_SAFE_PLACE: gettext_lazy("Find a safe place for the person to stay tonight."),
    v.SafetyConcern.URGENT_MEDICAL: gettext_lazy("Arrange urgent medical care."),
    v.SafetyConcern.OTHER_CHILDREN: gettext_lazy(
        "Report the other children at risk under the child protection procedure."
    ),
}


@transaction.atomic
def case_flag_safety(*, case: Case, user, concerns: Sequence[str]) -> list[str]:
    """Mark a case urgent for immediate-safety concerns: each new concern becomes a task due today for the
    caseworker, and one pending safety approval puts the case before a supervisor (their dashboard lists it
    first). Returns the concerns that were new; repeating a known concern changes nothing."""
    unknown = set(concerns) - set(v.SafetyConcern.values)
    if unknown:
        raise ValidationError(_("Unknown safety concern."))
    new = [c for c in v.SafetyConcern.values if c in set(concerns) and c not in case.safety_concerns]
    if not new or not case.is_open:
        return []
    case.safety_concerns = [c for c in v.SafetyConcern.values if c in {*case.safety_concerns, *new}]
    case.save()
    today = timezone.localdate()
    for concern in new:
        PlanTask.objects.create(
            case=case,
            goal=str(_("Immediate safety")),
            task=str(SAFETY_TASKS[concern])[:200],
            due_on=today,
            assigned_to=case.assigned_to or user,
        )
    pending = Approval.objects.filter(case=case, subject=Approval.Subject.SAFETY, decision=Approval.Decision.PENDING)
    note = ", ".join(str(label) for label in case.safety_concern_labels)[:300]
    approval = pending.first()
    if approval is not None:
        approval.request_note = note
        approval.save()
    else:
        Approval.objects.create(case=case, subject=Approval.Subject.SAFETY, request_note=note, requested_by=user)
    return new


@transaction.atomic
def case_update(*, case: Case, user, **details: Any) -> Case:
    _apply(case, details)
    case.full_clean(exclude=["code", "organisation", "assigned_to", "received_from"])
    case.save()
    return case


# --- The person's views and wishes ---------------------------------------------------------------------------


@transaction.atomic
def child_view_record(
    *, case: Case, user, text: str, topic: str = ChildView.Topic.GENERAL, recorded_on=None
) -> ChildView:
    if not text.strip():
        raise ValidationError({"text": _("Write down what the person said.")})
    view = ChildView(case=case, topic=topic, text=text.strip(), recorded_by=user)
    if recorded_on:
        view.recorded_on = recorded_on
    view.full_clean(exclude=["case", "recorded_by"])
    view.save()
    return view


# --- Consent ---------------------------------------------------------------------------------------------------


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
                _consents(consent.case), referral.to_organisation_id, referral.shared.get("parts", [])
            ):
                referral_withdraw(referral=referral, user=user, reason="consent revoked")
    return consent


def _consents(case: Case) -> list[Consent]:
    return list(Consent.objects.filter(case=case))


def case_allows(*, case: Case, scope: str) -> bool:
    return consent_rules.allows(_consents(case), scope)


def _require(case: Case, scope: str) -> None:
    if not case_allows(case=case, scope=scope):
        raise ConsentRequired(_("The person has not agreed to this, or has revoked their consent."))


# --- Assessment, services, plan ----------------------------------------------------------------------------------


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."))


@transaction.atomic
def assessment_save(*, case: Case, user, needs: list[str], summary: str = "", assessed_on=None) -> Assessment:
    _require_open(case)
    unknown = set(needs) - set(v.Need.values)
    if unknown:
        raise ValidationError({"needs": _("Unknown need.")})
    assessment = Assessment.objects.filter(case=case).first() or Assessment(case=case)
    assessment.needs = sorted(set(needs))
    assessment.summary = summary
    assessment.assessed_by = user
    assessment.assessed_on = assessed_on or timezone.localdate()
    assessment.save()
    if case.status == v.Status.OPEN:
        case.status = v.Status.ASSESSMENT
        case.save()
    return assessment


@transaction.atomic
def service_add(
    *,
    case: Case,
    user,
    kind: str,
    provider: str,
    start_on: date | None = None,
    end_on: date | None = None,
    status: str = Service.Status.PLANNED,
    outcome: str = "",
) -> Service:
    """Add a service. Services are given on an informed, consensual basis: consent to services is required.
    Nothing else is: not cooperation with police or courts, not an approved plan, not the case's stage."""
    _require_open(case)
    _require(case, consent_rules.SERVICES)
    service = Service(
        case=case,
        kind=kind,
        provider=provider,
        start_on=start_on or timezone.localdate(),
        end_on=end_on,
        status=status,
        outcome=outcome,
        created_by=user,
    )
    service.full_clean(exclude=["case", "created_by"])
    if service.end_on and service.end_on < service.start_on:
        raise ValidationError({"end_on": _("The end cannot come before the start.")})
    service.save()
    return service


@transaction.atomic
def service_update(*, service: Service, user, status: str, outcome: str = "", end_on: date | None = None) -> Service:
    service.status = status
    service.outcome = outcome
    service.end_on = end_on
    service.full_clean(exclude=["case", "created_by"])
    service.save()
    return service


@transaction.atomic
def plan_task_add(
    *, case: Case, user, goal: str, task: str, due_on: date, follow_up_on: date | None = None, assigned_to=None
) -> PlanTask:
    _require_open(case)
    item = PlanTask(
        case=case, goal=goal, task=task, due_on=due_on, follow_up_on=follow_up_on, assigned_to=assigned_to or user
    )
    item.full_clean(exclude=["case", "assigned_to"])
    item.save()
    return item


@transaction.atomic
def plan_task_complete(*, item: PlanTask, user, done_on: date | None = None) -> PlanTask:
    item.done_on = done_on or timezone.localdate()
    item.save()
    return item


# --- Supervisor approvals ----------------------------------------------------------------------------------------

_APPROVED_STATUS = {
    Approval.Subject.ASSESSMENT: v.Status.PLAN,
    Approval.Subject.PLAN: v.Status.SERVICES,
    Approval.Subject.CLOSURE: v.Status.CLOSED,
}


@transaction.atomic
def approval_request(*, case: Case, user, subject: str, note: str = "") -> Approval:
    _require_open(case)
    if subject not in _APPROVED_STATUS:
        raise ValidationError(_("Safety concerns reach a supervisor from the screening's safety answers."))
    if subject == Approval.Subject.ASSESSMENT and not Assessment.objects.filter(case=case).exists():
        raise ValidationError(_("Record the needs assessment first."))
    if subject == Approval.Subject.PLAN and not PlanTask.objects.filter(case=case).exists():
        raise ValidationError(_("Add at least one goal and task to the plan first."))
    if Approval.objects.filter(case=case, subject=subject, decision=Approval.Decision.PENDING).exists():
        raise ValidationError(_("An approval for this is already waiting."))
    approval = Approval.objects.create(case=case, subject=subject, request_note=note[:300], requested_by=user)
    if subject == Approval.Subject.CLOSURE:
        case.status = v.Status.CLOSURE_REQUESTED
        case.closure_reason = note[:200]
        case.save()
    return approval


@transaction.atomic
def approval_decide(*, approval: Approval, user, approve: bool, note: str = "") -> Approval:
    """A supervisor approves or returns. Nobody approves their own request."""
    if not has_perm(user, "cases.approve_case", approval.case.organisation_id):
        raise PermissionDenied
    if approval.decision != Approval.Decision.PENDING:
        raise ValidationError(_("This has already been decided."))
    if approval.requested_by_id == user.pk:
        raise ValidationError(_("Someone else must approve your own request."))
    if not approve and not note.strip():
        raise ValidationError({"decision_note": _("Say what needs to change.")})
    approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.RETURNED
    approval.decision_note = note[:300]
    approval.decided_by = user
    approval.decided_at = timezone.now()
    approval.save()
    case = approval.case
    if approve and approval.subject in _APPROVED_STATUS:
        case.status = _APPROVED_STATUS[approval.subject]
        if approval.subject == Approval.Subject.CLOSURE:
            case.closed_on = timezone.localdate()
    elif approval.subject == Approval.Subject.CLOSURE:
        case.status = v.Status.SERVICES
    case.save()
    return approval


# --- Cooperation with police and courts (its own section; never gates anything) --------------------------------


@transaction.atomic
def cooperation_save(
    *, case: Case, user, stance: str, authority: str = "", proceedings: str = "", notes: str = ""
) -> Cooperation:
    """Record the person's choice. Contact with an authority on their behalf needs their consent to it."""
    if (
        stance == Cooperation.Stance.COOPERATING
        and authority
        and not case_allows(case=case, scope=consent_rules.LAW_ENFORCEMENT)
    ):
        raise ConsentRequired(_("The person has not agreed to contact with law enforcement."))
    record = Cooperation.objects.filter(case=case).first() or Cooperation(case=case)
    record.stance = stance
    record.authority = authority
    record.proceedings = proceedings
    record.notes = notes
    record.updated_on = timezone.localdate()
    record.full_clean(exclude=["case"])
    record.save()
    return record


# --- Referrals and transfers -------------------------------------------------------------------------------------


def referral_targets(*, organisation):
    """The organisations this one may refer to: its configured partners."""
    from threadline.accounts.models import Organisation

    ids = ReferralPartner.objects.filter(organisation=organisation).values_list("partner_id", flat=True)
    return Organisation.objects.filter(pk__in=list(ids), is_active=True)


def _snapshot(case: Case, shares: set[str]) -> tuple[dict, str]:
    """What leaves the organisation: only the parts in ``shares``. Identity and views are encrypted at rest."""
    import json

    shared: dict[str, Any] = {"code": case.code, "parts": sorted(shares)}
    secret: dict[str, Any] = {}
    if consent_rules.SHARE_SUMMARY in shares:
        assessment = Assessment.objects.filter(case=case).first()
        shared["summary"] = {
            "child_status": case.child_status,
            "gender": case.gender,
            "age_at_registration": case.age_at_registration,
            "citizenship": case.citizenship,
            "exploitation": case.exploitation,
            "other_exploitation": list(case.other_exploitation),
            "means_of_control": list(case.means_of_control),
            "recruitment": case.recruitment,
            "recruiter_relation": case.recruiter_relation,
            "country_of_exploitation": case.country_of_exploitation,
            "transit_countries": case.transit_countries,
            "reflection_start": case.reflection_start.isoformat() if case.reflection_start else None,
            "reflection_end": case.reflection_end.isoformat() if case.reflection_end else None,
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
    _require_open(case)
    if not referral_targets(organisation=case.organisation).filter(pk=to_organisation.pk).exists():
        raise ValidationError({"to_organisation": _("This organisation is not a referral partner.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the referral.")})
    wanted = set(shares) or {consent_rules.SHARE_SUMMARY}
    if wanted - set(consent_rules.ALL_SHARES):
        raise ValidationError({"shares": _("Unknown kind of data.")})
    within = consent_rules.may_refer(_consents(case), to_organisation.pk, wanted)
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


# --- Erasure and retention -----------------------------------------------------------------------------------------


@transaction.atomic
def case_anonymise(*, case: Case) -> Case:
    """Erase every identifying and narrative field of a case; keep the non-identifying facts for statistics."""
    for name in (*IDENTITY_FIELDS, "route_notes", "best_interests"):
        setattr(case, name, "")
    case.anonymised_at = timezone.now()
    case.save()
    ChildView.objects.filter(case=case).update(text="")
    Assessment.objects.filter(case=case).update(summary="")
    Cooperation.objects.filter(case=case).update(notes="")
    Referral.objects.filter(case=case).update(shared_identity="")
    return case


@transaction.atomic
def case_erase(*, case: Case, user, reason: str) -> Case:
    """Erasure on request (GDPR Art. 17) by a supervisor: identity erased now, the request recorded."""
    if not has_perm(user, "cases.erase_case", case.organisation_id):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Record why the data is erased (for example, the person's request).")})
    case_anonymise(case=case)
    audit_object("erase", case, note=reason.strip()[:200])
    return case


def cases_due_for_anonymisation(*, today: date | None = None):
    """Closed or transferred cases whose organisation's retention period has passed, not yet anonymised."""
    from django.db.models import Q

    from threadline.accounts.models import Organisation

    today = today or timezone.localdate()
    default_days = CaseSettings._meta.get_field("retention_days").default
    custom = dict(CaseSettings.objects.values_list("organisation_id", "retention_days"))
    condition = Q()
    for org_id in Organisation.objects.values_list("pk", flat=True):
        cutoff = today - timedelta(days=custom.get(org_id, default_days))
        condition |= Q(organisation_id=org_id, closed_on__lte=cutoff)
    closed = Case.objects.filter(status__in=[v.Status.CLOSED, v.Status.TRANSFERRED], anonymised_at__isnull=True)
    return closed.filter(condition) if condition else closed.none()


@transaction.atomic
def case_settings_save(*, organisation, user, retention_days: int, reflection_days: int) -> CaseSettings:
    record = CaseSettings.objects.filter(organisation=organisation).first() or CaseSettings(organisation=organisation)
    if reflection_days < 30:
        raise ValidationError({"reflection_days": _("The recovery and reflection period is at least 30 days.")})
    if retention_days < 1:
        raise ValidationError({"retention_days": _("At least one day.")})
    record.retention_days = retention_days
    record.reflection_days = reflection_days
    record.save()
    return record


@transaction.atomic
def referral_partner_add(*, organisation, user, partner) -> ReferralPartner:
    if partner.pk == organisation.pk:
        raise ValidationError({"partner": _("Choose another organisation.")})
    found = ReferralPartner.objects.filter(organisation=organisation, partner=partner).first()
    return found or ReferralPartner.objects.create(organisation=organisation, partner=partner)


@transaction.atomic
def referral_partner_remove(*, item: ReferralPartner, user) -> None:
    item.delete()
