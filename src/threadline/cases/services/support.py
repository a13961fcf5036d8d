"""Needs assessment, services, the case plan and cooperation with police and courts (which never gates
anything)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.cases import consent_rules
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Assessment,
    Case,
    Cooperation,
    PlanTask,
    Service,
)
from threadline.cases.services.guards import ConsentRequired, case_allows, require_consent, require_open


@transaction.atomic
def assessment_save(*, case: Case, user, needs: list[str], summary: str = "", assessed_on=None) -> Assessment:
    require_open(case)
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
    require_open(case)
    require_consent(case, consent_rules.SERVICES)
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
    require_open(case)
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
