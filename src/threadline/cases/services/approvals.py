"""Supervisor approvals: the case moves on only when someone other than the requester approves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Approval,
    Assessment,
    Case,
    PlanTask,
)
from threadline.cases.services.guards import require_open
from threadline.core.permissions import has_perm

_APPROVED_STATUS = {
    Approval.Subject.ASSESSMENT: v.Status.PLAN,
    Approval.Subject.PLAN: v.Status.SERVICES,
    Approval.Subject.CLOSURE: v.Status.CLOSED,
}


@transaction.atomic
def approval_request(*, case: Case, user, subject: str, note: str = "") -> Approval:
    require_open(case)
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
