"""Opening and updating a case, its immediate-safety flags and the person's own views and wishes."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.cases import vocabulary as v
from threadline.cases.models import (
    EDITABLE_FIELDS,
    Approval,
    Case,
    CaseSettings,
    ChildView,
    PlanTask,
)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud and copied by hand


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


def _apply(case: Case, details: dict[str, Any]) -> None:
    unknown = set(details) - EDITABLE_FIELDS - {"screening", "received_from", "screening_ref"}
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
