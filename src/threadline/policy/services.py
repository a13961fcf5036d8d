"""Writes of the policy area: keyword-only, atomic, each refusing what the stage machine does not allow.

The assessment's life: draft (stages completed in order) -> with the reviewer -> reviewed -> approved ->
published. A reviewer or approver may return it to draft with a comment. Nobody reviews or approves an
assessment they wrote, and the approver is not the reviewer. Publication needs approval, a child-friendly
summary and, for every consultation, the child-friendly summary returned to the children who took part.
Every transition is audited (the model's own audit, plus one entry naming the transition) and freezes a
version of the whole assessment.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.engines.policy import STAGE_KINDS, UnknownTemplate, get_convention, get_template
from threadline.policy.models import (
    AdvisorySubmission,
    Assessment,
    AssessmentVersion,
    Consultation,
    Decision,
    EvidenceItem,
    ImpactRating,
    Indicator,
    IndicatorValue,
    Policy,
    PopulationFigure,
    Publication,
    ResultsChainItem,
    ReviewComment,
    StageAnswer,
)

log = logging.getLogger(__name__)
#: Stages the officer completes before asking for review; publication and monitoring come after approval.
BEFORE_REVIEW = STAGE_KINDS[: STAGE_KINDS.index("publication")]


class PolicyError(Exception):
    """A request the rules refuse; ``message`` is shown to the user, ``field`` names the form field at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _transition(assessment: Assessment, user, reason: str) -> None:
    """Audit the transition by name and freeze a version of the whole assessment."""
    from threadline.policy.selectors import assessment_snapshot

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


def _editable(assessment: Assessment, stage: str | None = None) -> None:
    if assessment.status == Assessment.Status.PUBLISHED and stage == "monitoring":
        return
    if assessment.status != Assessment.Status.DRAFT:
        raise PolicyError(
            _("This assessment is %(status)s: it cannot be changed now.") % {"status": assessment.get_status_display()}
        )


# -- policies and assessments ------------------------------------------------------------------------------
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
    from threadline.policy.selectors import template_of

    _editable(assessment, stage)
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


def _stage_problems(assessment: Assessment, stage: str) -> list[str]:
    """What is missing before ``stage`` can be completed (empty: it can)."""
    from threadline.policy.selectors import template_of

    template = template_of(assessment)
    answered = dict(assessment.answers.filter(stage=stage).values_list("question_id", "answer"))
    problems = [
        str(_("Answer: %(question)s") % {"question": template.text(q.text)})
        for q in template.stage(stage).questions
        if q.required and not answered.get(q.id, "").strip()
    ]
    if stage == "evidence" and not assessment.evidence.exists():
        problems.append(str(_("Add at least one piece of evidence.")))
    if stage == "consultation" and not assessment.consultations.exists():
        problems.append(str(_("Record at least one consultation with children.")))
    if stage == "impact":
        rated = set(assessment.impacts.filter(group=ImpactRating.Group.ALL).values_list("article", flat=True))
        convention = get_convention()
        for key in template.stage("impact").focus_articles:
            if key not in rated:
                problems.append(
                    str(_("Assess the impact on article %(article)s for all children concerned."))
                    % {"article": convention.article(key).label()}
                )
    if stage == "decision" and not Decision.objects.filter(assessment=assessment).exists():
        problems.append(str(_("Record the decision.")))
    if stage == "monitoring" and not assessment.policy.indicators.exists():
        problems.append(str(_("Add at least one monitoring indicator to the policy.")))
    return problems


def stage_problems(*, assessment: Assessment, stage: str) -> list[str]:
    return _stage_problems(assessment, stage)


@transaction.atomic
def stage_complete(*, assessment: Assessment, user, stage: str) -> Assessment:
    """Complete the current stage and move to the next; a "no" at the screening gate screens the policy out."""
    from threadline.policy.selectors import template_of

    _editable(assessment, stage)
    if stage != assessment.stage or stage in ("publication",):
        raise PolicyError(_("Complete the stages in order."))
    problems = _stage_problems(assessment, stage)
    if problems:
        raise PolicyError(" ".join(problems))
    assessment.completed_stages = [*assessment.completed_stages, stage]
    if stage == "screening":
        gate = template_of(assessment).gate_question
        if assessment.answers.filter(question_id=gate.id).values_list("answer", flat=True).first() == "no":
            assessment.status = Assessment.Status.SCREENED_OUT
            _transition(assessment, user, "screened out")
            return assessment
    following = STAGE_KINDS.index(stage) + 1
    assessment.stage = STAGE_KINDS[following] if following < len(STAGE_KINDS) else stage
    assessment.save(update_fields=["stage", "completed_stages"])
    audit_object("update", assessment, fields=["stage"], note=f"stage {stage} completed")
    return assessment


@transaction.atomic
def evidence_add_citation(*, assessment: Assessment, user, citation: str, url: str = "", summary: str = ""):
    _editable(assessment)
    if not citation.strip():
        raise PolicyError(_("Give the citation."), "citation")
    return EvidenceItem.objects.create(
        assessment=assessment, citation=citation.strip()[:500], url=url, summary=summary, added_by=user
    )


@transaction.atomic
def evidence_cite_release(*, assessment: Assessment, user, release, summary: str = "") -> EvidenceItem:
    """Cite a published, protected insights release: its figures are frozen here with the release id and the
    dataset version, so the assessment shows the same numbers after the data change or the release is
    withdrawn."""
    from threadline.policy.selectors import release_total

    _editable(assessment)
    if release.organisation_id != assessment.organisation_id or not release.published:
        raise PolicyError(_("Only a published release of this organisation can be cited."), "release")
    total = release_total(release)
    frozen = {
        "release_id": release.pk,
        "title": release.title,
        "fields": list(release.fields),
        "method": release.method,
        "k": release.k,
        "epsilon": release.epsilon,
        "dataset_version": release.dataset_version,
        "published_at": release.published_at.isoformat() if release.published_at else None,
        "table": release.table,
    }
    return EvidenceItem.objects.create(
        assessment=assessment,
        kind=EvidenceItem.Kind.INSIGHTS_RELEASE,
        citation=str(_("Threadline insights release “%(title)s”")) % {"title": release.title[:300]},
        summary=summary,
        release=release,
        source_id=f"insights-release-{release.pk}",
        source_version=release.dataset_version[:60],
        figure_label=str(_("Total (protected, k=%(k)s)") % {"k": release.k}) if release.k else str(_("Total")),
        figure_value=total,
        frozen=frozen,
        added_by=user,
    )


@transaction.atomic
def evidence_cite_prevention(*, assessment: Assessment, user, summary_item, summary: str = "") -> EvidenceItem:
    """Cite a published prevention summary (pupils reached, by sex and age band, and the change measured by
    the pupils' surveys before and after): its figures, suppressed at k = 11 when published and checked again
    here, are frozen with the summary id and its publication time, so the assessment stays reproducible after
    new sessions or the summary's withdrawal."""
    from threadline.policy.selectors import prevention_frozen

    _editable(assessment)
    if (
        summary_item.organisation_id != assessment.organisation_id
        or summary_item.withdrawn_at is not None
        or summary_item.published_at is None
    ):
        raise PolicyError(_("Only a published prevention summary of this organisation can be cited."), "summary_item")
    frozen = prevention_frozen(summary_item)
    published = summary_item.published_at.isoformat(timespec="seconds")
    return EvidenceItem.objects.create(
        assessment=assessment,
        kind=EvidenceItem.Kind.PREVENTION_SUMMARY,
        citation=str(_("Threadline prevention summary published %(date)s"))
        % {"date": summary_item.published_at.date().isoformat()},
        summary=summary,
        source_id=f"prevention-summary-{summary_item.pk}",
        source_version=published[:60],
        figure_label=str(_("Pupils reached (protected, k=%(k)s)") % {"k": frozen["k"]}),
        figure_value=frozen["pupils_total"],
        frozen=frozen,
        added_by=user,
    )


def _participants(raw: dict) -> dict[str, int]:
    clean = {}
    for band in Consultation.AGE_BANDS:
        for sex in Consultation.SEXES:
            value = int(raw.get(f"{band}:{sex}") or 0)
            if value < 0:
                raise PolicyError(_("Numbers of participants cannot be negative."), "participants")
            if value:
                clean[f"{band}:{sex}"] = value
    if not clean:
        raise PolicyError(_("Give the number of children who took part."), "participants")
    return clean


@transaction.atomic
def consultation_record(
    *,
    assessment: Assessment,
    user,
    method: str,
    held_on: date,
    participants: dict,
    what_they_said: str,
    how_it_changed: str,
) -> Consultation:
    _editable(assessment)
    if not what_they_said.strip() or not how_it_changed.strip():
        raise PolicyError(_("Say what the children said and how it changed the decision."))
    return Consultation.objects.create(
        assessment=assessment,
        method=method,
        held_on=held_on,
        participants=_participants(participants),
        what_they_said=what_they_said,
        how_it_changed=how_it_changed,
        recorded_by=user,
    )


def _keep_one(assessment: Assessment, stage: str, remaining: int) -> None:
    """A completed stage keeps what completed it: its last piece of evidence or consultation stays."""
    if stage in assessment.completed_stages and remaining < 1:
        if stage == "evidence":
            raise PolicyError(_("The evidence stage is complete: it keeps at least one piece of evidence."))
        raise PolicyError(_("The consultation stage is complete: it keeps at least one consultation."))


@transaction.atomic
def evidence_update(
    *, item: EvidenceItem, user, summary: str, citation: str | None = None, url: str | None = None
) -> EvidenceItem:
    """Change a piece of evidence while the assessment is a draft. A citation's text, link and note can change;
    a figure frozen from a release or a prevention summary cannot, only the note on what it shows."""
    _editable(item.assessment)
    if item.kind == EvidenceItem.Kind.CITATION:
        citation = (citation if citation is not None else item.citation).strip()
        if not citation:
            raise PolicyError(_("Give the citation."), "citation")
        item.citation = citation[:500]
        item.url = item.url if url is None else url
    elif (citation is not None and citation.strip() != item.citation) or (url is not None and url != item.url):
        raise PolicyError(_("A frozen figure cannot be changed: only the note on what it shows."))
    item.summary = summary
    item.save()
    audit_object("update", item.assessment, fields=["evidence"], note=f"evidence {item.pk} changed")
    item.assessment.authors.add(user)
    return item


@transaction.atomic
def evidence_delete(*, item: EvidenceItem, user) -> None:
    assessment = item.assessment
    _editable(assessment)
    _keep_one(assessment, "evidence", assessment.evidence.exclude(pk=item.pk).count())
    pk = item.pk
    item.delete()
    audit_object("update", assessment, fields=["evidence"], note=f"evidence {pk} removed")


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    user,
    method: str,
    held_on: date,
    participants: dict,
    what_they_said: str,
    how_it_changed: str,
) -> Consultation:
    """Correct a consultation while the assessment is a draft (numbers by age band and sex, never identities)."""
    _editable(consultation.assessment)
    if method not in Consultation.Method.values:
        raise PolicyError(_("Choose a method."), "method")
    if not what_they_said.strip() or not how_it_changed.strip():
        raise PolicyError(_("Say what the children said and how it changed the decision."))
    consultation.method = method
    consultation.held_on = held_on
    consultation.participants = _participants(participants)
    consultation.what_they_said = what_they_said
    consultation.how_it_changed = how_it_changed
    consultation.save()
    audit_object(
        "update", consultation.assessment, fields=["consultations"], note=f"consultation {consultation.pk} changed"
    )
    consultation.assessment.authors.add(user)
    return consultation


@transaction.atomic
def consultation_delete(*, consultation: Consultation, user) -> None:
    assessment = consultation.assessment
    _editable(assessment)
    _keep_one(assessment, "consultation", assessment.consultations.exclude(pk=consultation.pk).count())
    pk = consultation.pk
    consultation.delete()
    audit_object("update", assessment, fields=["consultations"], note=f"consultation {pk} removed")


@transaction.atomic
def consultation_return_feedback(*, consultation: Consultation, user, feedback_summary: str, returned_on: date):
    """Record the child-friendly summary given back to the children who took part (needed before publication)."""
    if consultation.assessment.status in (Assessment.Status.PUBLISHED, Assessment.Status.SCREENED_OUT):
        raise PolicyError(_("This assessment can no longer be changed."))
    if not feedback_summary.strip():
        raise PolicyError(_("Write the summary that went back to the children."), "feedback_summary")
    consultation.feedback_summary = feedback_summary
    consultation.feedback_returned_on = returned_on
    consultation.save()
    return consultation


@transaction.atomic
def impact_save(
    *, assessment: Assessment, user, article: str, group: str, rating: str, reasoning: str, mitigation: str = ""
) -> ImpactRating:
    _editable(assessment)
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
    _editable(assessment)
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


# -- review, approval, publication -------------------------------------------------------------------------
@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    _editable(assessment)
    missing = [s for s in BEFORE_REVIEW if s not in assessment.completed_stages]
    if missing:
        raise PolicyError(_("Complete every stage up to the decision first."))
    assessment.status = Assessment.Status.IN_REVIEW
    assessment.submitted_at = timezone.now()
    _transition(assessment, user, "submitted for review")
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
    _transition(assessment, user, "passed review" if passed else "returned by the reviewer")
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
    _transition(assessment, user, "approved" if approved else "returned by the approver")
    return assessment


def publication_problems(assessment: Assessment, child_friendly_summary: str = "x") -> list[str]:
    problems = []
    if assessment.status != Assessment.Status.APPROVED:
        problems.append(str(_("The assessment must be approved before it is published.")))
    if not child_friendly_summary.strip():
        problems.append(str(_("Write the child-friendly summary.")))
    pending = [c for c in assessment.consultations.all() if not c.feedback_returned]
    if pending:
        problems.append(
            str(_("Return a child-friendly summary to the children of every consultation (%(n)s still to do)."))
            % {"n": len(pending)}
        )
    return problems


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
    _transition(assessment, user, "published")
    return publication


# -- monitoring --------------------------------------------------------------------------------------------
@transaction.atomic
def results_item_add(*, policy: Policy, user, level: str, description: str) -> ResultsChainItem:
    if not description.strip():
        raise PolicyError(_("Describe the result."), "description")
    position = policy.results.count()
    return ResultsChainItem.objects.create(policy=policy, level=level, description=description, position=position)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    return day  # pragma: no cover - some day of every month exists


@transaction.atomic
def indicator_create(
    *,
    policy: Policy,
    user,
    name: str,
    source: str = Indicator.Source.MANUAL,
    unit: str = "",
    baseline=None,
    baseline_year=None,
    target=None,
    target_year=None,
    review_every_months: int = 6,
    next_review_on: date | None = None,
    result=None,
) -> Indicator:
    if not name.strip():
        raise PolicyError(_("Name the indicator."), "name")
    if result is not None and result.policy_id != policy.pk:
        raise PolicyError(_("That result belongs to another policy."), "result")
    return Indicator.objects.create(
        policy=policy,
        result=result,
        name=name,
        source=source,
        unit=unit,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
        review_every_months=review_every_months,
        next_review_on=next_review_on or _add_months(timezone.localdate(), review_every_months),
    )


@transaction.atomic
def indicator_value_add(*, indicator: Indicator, user, period: str, value: Decimal) -> IndicatorValue:
    if indicator.is_computed:
        raise PolicyError(_("This indicator is computed from Threadline data: use Recompute."))
    if not period.strip():
        raise PolicyError(_("Give the period."), "period")
    return IndicatorValue.objects.create(indicator=indicator, period=period, value=value, recorded_by=user)


@transaction.atomic
def indicator_recompute(*, indicator: Indicator, user=None) -> IndicatorValue:
    """Compute the indicator from Threadline data (disclosure-controlled) and add the result as a new value."""
    from threadline.policy import computations

    try:
        result = computations.compute(indicator.source, organisation=indicator.policy.organisation)
    except computations.Unavailable as exc:
        raise PolicyError(exc.message) from exc
    return IndicatorValue.objects.create(
        indicator=indicator,
        period=result.period,
        value=None if result.figure.suppressed else Decimal(str(result.figure.value)),
        suppressed=result.figure.suppressed,
        breakdown=result.breakdown,
        source_note=result.note[:300],
        computed=True,
        recorded_by=user,
    )


def indicators_recompute_for(*, organisation, user=None, sources: set[str] | None = None) -> int:
    """Recompute every computed indicator of the organisation (after an insights import, for instance).
    One that cannot be computed is skipped; the others still get their new value."""
    done = 0
    indicators = Indicator.objects.filter(policy__organisation=organisation).exclude(source=Indicator.Source.MANUAL)
    if sources is not None:
        indicators = indicators.filter(source__in=sources)
    for indicator in indicators.select_related("policy__organisation"):
        try:
            indicator_recompute(indicator=indicator, user=user)
        except PolicyError:
            continue
        done += 1
    return done


@transaction.atomic
def indicator_reviewed(*, indicator: Indicator, user) -> Indicator:
    today = timezone.localdate()
    indicator.last_reviewed_on = today
    indicator.next_review_on = _add_months(today, indicator.review_every_months)
    indicator.save()
    return indicator


@transaction.atomic
def population_save(
    *, organisation, user, year: int, age_group: str, sex: str, population: int, source: str = ""
) -> PopulationFigure:
    if population <= 0:
        raise PolicyError(_("The population must be positive."), "population")
    row = PopulationFigure.objects.filter(organisation=organisation, year=year, age_group=age_group, sex=sex).first()
    if row is None:
        return PopulationFigure.objects.create(
            organisation=organisation, year=year, age_group=age_group, sex=sex, population=population, source=source
        )
    row.population, row.source = population, source
    row.save()
    return row


# -- survivor advisory -------------------------------------------------------------------------------------
@transaction.atomic
def advisory_submit(
    *,
    organisation,
    about: str,
    area: str,
    answers: dict[str, str],
    comments: str = "",
    contact_consent: bool = False,
    contact: str = "",
    language: str = "en",
) -> AdvisorySubmission:
    """Store anonymous feedback. A contact is kept only with the explicit consent given beside it."""
    clean = {}
    for dimension in AdvisorySubmission.DIMENSIONS:
        value = (answers.get(dimension) or "").strip()
        if value and value not in AdvisorySubmission.Answer.values:
            raise PolicyError(_("Choose one of the answers."), dimension)
        clean[dimension] = value
    if contact.strip() and not contact_consent:
        contact = ""  # no consent, no contact: never stored
    return AdvisorySubmission.objects.create(
        organisation=organisation,
        about=about,
        area=area,
        comments=comments.strip()[:4000],
        contact_consent=bool(contact_consent and contact.strip()),
        contact=contact.strip()[:300] if contact_consent else "",
        language=language[:8],
        received_on=timezone.localdate(),
        **clean,
    )
