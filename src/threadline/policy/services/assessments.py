"""Policies and the stages of their assessments: create a policy, start an assessment from a template, answer
and complete its stages in order (a "no" at the screening gate screens the policy out), rate the impacts on
rights and record the decision."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.engines.policy import STAGE_KINDS, UnknownTemplate, get_convention, get_template
from threadline.policy.models import Assessment, Decision, ImpactRating, Policy, StageAnswer
from threadline.policy.selectors import stage_problems, template_of
from threadline.policy.services.common import PolicyError, ensure_editable, record_transition


@transaction.atomic
def policy_create(
    *,
    organisation,
    user,
    title: str,
    kind: str = Policy.Kind.POLICY,
    summary: str = "",
    reference: str = "",
    department: str = "",
) -> Policy:
    if not title.strip():
        raise PolicyError(_("Give the policy a title."), "title")
    return Policy.objects.create(
        organisation=organisation,
        title=title.strip()[:200],
        kind=kind,
        summary=summary,
        reference=reference[:60],
        department=department[:200],
        created_by=user,
    )


@transaction.atomic
def assessment_start(*, policy: Policy, user, template_id: str) -> Assessment:
    try:
        template = get_template(template_id)
    except UnknownTemplate as exc:
        raise PolicyError(_("No such assessment template."), "template") from exc
    assessment = Assessment.objects.create(
        organisation=policy.organisation,
        policy=policy,
        template_id=template.id,
        template_version=template.version,
        stage=STAGE_KINDS[0],
    )
    assessment.authors.add(user)
    return assessment


@transaction.atomic
def answers_save(*, assessment: Assessment, user, stage: str, answers: dict[str, str]) -> None:
    """Save the answers to one stage's questions (unknown question ids are refused, blank answers kept blank)."""

    ensure_editable(assessment, stage)
    questions = {q.id: q for q in template_of(assessment).stage(stage).questions}
    for question_id, answer in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise PolicyError(_("Unknown question."), question_id)
        answer = (answer or "").strip()
        if question.answer == "yes_no" and answer not in ("", "yes", "no"):
            raise PolicyError(_("Answer yes or no."), question_id)
        row = StageAnswer.objects.filter(assessment=assessment, question_id=question_id).first()
        if row is None:
            StageAnswer.objects.create(
                assessment=assessment, stage=stage, question_id=question_id, answer=answer, updated_by=user
            )
        elif row.answer != answer:
            row.answer, row.updated_by = answer, user
            row.save()
    assessment.authors.add(user)


@transaction.atomic
def stage_complete(*, assessment: Assessment, user, stage: str) -> Assessment:
    """Complete the current stage and move to the next; a "no" at the screening gate screens the policy out."""
    ensure_editable(assessment, stage)
    if stage != assessment.stage or stage in ("publication",):
        raise PolicyError(_("Complete the stages in order."))
    problems = stage_problems(assessment=assessment, stage=stage)
    if problems:
        raise PolicyError(" ".join(problems))
    assessment.completed_stages = [*assessment.completed_stages, stage]
    if stage == "screening":
        gate = template_of(assessment).gate_question
        if assessment.answers.filter(question_id=gate.id).values_list("answer", flat=True).first() == "no":
            assessment.status = Assessment.Status.SCREENED_OUT
            record_transition(assessment, user, "screened out")
            return assessment
    following = STAGE_KINDS.index(stage) + 1
    assessment.stage = STAGE_KINDS[following] if following < len(STAGE_KINDS) else stage
    assessment.save(update_fields=["stage", "completed_stages"])
    audit_object("update", assessment, fields=["stage"], note=f"stage {stage} completed")
    return assessment


def stage_save(*, assessment: Assessment, user, stage: str, answers: dict[str, str], complete: bool = False) -> None:
    """Save a stage's answers and, when asked, complete it. Two steps, not one transaction: the answers are kept
    even when completing the stage is refused (the stage page then says what is still missing)."""
    answers_save(assessment=assessment, user=user, stage=stage, answers=answers)
    if complete:
        stage_complete(assessment=assessment, user=user, stage=stage)


@transaction.atomic
def impact_save(
    *, assessment: Assessment, user, article: str, group: str, rating: str, reasoning: str, mitigation: str = ""
) -> ImpactRating:
    ensure_editable(assessment)
    if article not in get_convention().articles:
        raise PolicyError(_("No such article."), "article")
    if group not in ImpactRating.Group.values:
        raise PolicyError(_("No such group of children."), "group")
    if rating not in ImpactRating.Rating.values:
        raise PolicyError(_("Choose an impact."), "rating")
    if not reasoning.strip():
        raise PolicyError(_("Explain the reasoning."), "reasoning")
    if rating == ImpactRating.Rating.NEGATIVE and not mitigation.strip():
        raise PolicyError(_("A negative impact needs a mitigation."), "mitigation")
    row, _created = ImpactRating.objects.get_or_create(
        assessment=assessment,
        article=article,
        group=group,
        defaults={"rating": rating, "reasoning": reasoning, "mitigation": mitigation},
    )
    if not _created:
        row.rating, row.reasoning, row.mitigation = rating, reasoning, mitigation
        row.save()
    assessment.authors.add(user)
    return row


@transaction.atomic
def decision_record(*, assessment: Assessment, user, outcome: str, rationale: str, decided_on: date) -> Decision:
    ensure_editable(assessment)
    if not rationale.strip():
        raise PolicyError(_("Give the reasons for the decision."), "rationale")
    decision = Decision.objects.filter(assessment=assessment).first() or Decision(assessment=assessment)
    decision.outcome, decision.rationale, decision.decided_on, decision.decided_by = (
        outcome,
        rationale,
        decided_on,
        user,
    )
    decision.save()
    return decision
