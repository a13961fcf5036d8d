"""Review, approval and publication. Nobody reviews or approves an assessment they wrote, and the approver is
not the reviewer. Publication needs approval, a child-friendly summary and, for every consultation, the
child-friendly summary returned to the children who took part."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.engines.policy import STAGE_KINDS
from threadline.policy.models import Assessment, Publication, ReviewComment
from threadline.policy.selectors import publication_problems
from threadline.policy.services.common import PolicyError, ensure_editable, record_transition

#: Stages the officer completes before asking for review; publication and monitoring come after approval.
BEFORE_REVIEW = STAGE_KINDS[: STAGE_KINDS.index("publication")]


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    ensure_editable(assessment)
    missing = [s for s in BEFORE_REVIEW if s not in assessment.completed_stages]
    if missing:
        raise PolicyError(_("Complete every stage up to the decision first."))
    assessment.status = Assessment.Status.IN_REVIEW
    assessment.submitted_at = timezone.now()
    record_transition(assessment, user, "submitted for review")
    return assessment


def _is_author(assessment: Assessment, user) -> bool:
    return assessment.authors.filter(pk=user.pk).exists()


@transaction.atomic
def assessment_comment(*, assessment: Assessment, user, text: str, stage: str = "") -> ReviewComment:
    if not text.strip():
        raise PolicyError(_("Write the comment."), "text")
    return ReviewComment.objects.create(assessment=assessment, author=user, text=text, stage=stage)


@transaction.atomic
def assessment_review(*, assessment: Assessment, user, passed: bool, comment: str = "") -> Assessment:
    if assessment.status != Assessment.Status.IN_REVIEW:
        raise PolicyError(_("This assessment is not waiting for review."))
    if _is_author(assessment, user):
        raise PolicyError(_("You wrote part of this assessment: someone else must review it."))
    if not passed and not comment.strip():
        raise PolicyError(_("Say what needs to change."), "comment")
    kind = ReviewComment.Kind.PASSED if passed else ReviewComment.Kind.RETURNED
    ReviewComment.objects.create(assessment=assessment, author=user, text=comment, kind=kind)
    assessment.reviewer = user
    assessment.status = Assessment.Status.REVIEWED if passed else Assessment.Status.DRAFT
    assessment.save(update_fields=["reviewer"])
    record_transition(assessment, user, "passed review" if passed else "returned by the reviewer")
    return assessment


@transaction.atomic
def assessment_approve(*, assessment: Assessment, user, approved: bool, comment: str = "") -> Assessment:
    if assessment.status != Assessment.Status.REVIEWED:
        raise PolicyError(_("This assessment has not passed review."))
    if _is_author(assessment, user) or assessment.reviewer_id == user.pk:
        raise PolicyError(_("The approver must be someone other than the authors and the reviewer."))
    if not approved and not comment.strip():
        raise PolicyError(_("Say what needs to change."), "comment")
    kind = ReviewComment.Kind.APPROVED if approved else ReviewComment.Kind.RETURNED
    ReviewComment.objects.create(assessment=assessment, author=user, text=comment, kind=kind)
    assessment.approver = user
    assessment.save(update_fields=["approver"])
    if approved:
        assessment.status = Assessment.Status.APPROVED
        assessment.approved_at = timezone.now()
    else:
        assessment.status = Assessment.Status.DRAFT
    record_transition(assessment, user, "approved" if approved else "returned by the approver")
    return assessment


@transaction.atomic
def assessment_publish(
    *, assessment: Assessment, user, summary: str, child_friendly_summary: str, language: str = "en"
) -> Publication:
    problems = publication_problems(assessment, child_friendly_summary)
    if not summary.strip():
        problems.append(str(_("Write the public summary.")))
    if problems:
        raise PolicyError(" ".join(problems))
    publication = Publication.objects.filter(assessment=assessment).first() or Publication(assessment=assessment)
    publication.summary = summary
    publication.child_friendly_summary = child_friendly_summary
    publication.language = language
    publication.published_at = timezone.now()
    publication.published_by = user
    publication.save()
    assessment.status = Assessment.Status.PUBLISHED
    assessment.completed_stages = [*assessment.completed_stages, "publication"]
    assessment.stage = "monitoring"
    record_transition(assessment, user, "published")
    return publication
