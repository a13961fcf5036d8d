"""What every policy service shares: the refusal they raise, the draft-only guard and the audited transition
that freezes a version of the whole assessment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.policy.models import Assessment, AssessmentVersion
from threadline.policy.selectors import assessment_snapshot


class PolicyError(ValidationError):
    """A request the rules refuse; ``message`` is shown to the user, ``field`` names the form field at fault.

    A ``ValidationError`` (on ``field`` when it names one), so the shared views of ``core.views`` show it the way
    they show every service's refusal: on that form field (on top of the form when the form has no such field),
    or as a message on the page an action returns to."""

    def __init__(self, message, field: str | None = None):
        super().__init__({field: [message]} if field else message)
        self.message, self.code, self.params = message, None, None
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def record_transition(assessment: Assessment, user, reason: str) -> None:
    """Audit the transition by name and freeze a version of the whole assessment."""
    assessment.version += 1
    assessment.save(update_fields=["version", "status", "stage", "completed_stages", "submitted_at", "approved_at"])
    AssessmentVersion.objects.create(
        assessment=assessment,
        number=assessment.version,
        reason=reason,
        snapshot=assessment_snapshot(assessment),
        created_by=user,
    )
    audit_object("update", assessment, fields=["status"], note=f"assessment {reason} (v{assessment.version})")


def ensure_editable(assessment: Assessment, stage: str | None = None) -> None:
    """Refuse a change unless the assessment is a draft (a published one's monitoring stage stays open)."""
    if assessment.status == Assessment.Status.PUBLISHED and stage == "monitoring":
        return
    if assessment.status != Assessment.Status.DRAFT:
        raise PolicyError(
            _("This assessment is %(status)s: it cannot be changed now.") % {"status": assessment.get_status_display()}
        )
