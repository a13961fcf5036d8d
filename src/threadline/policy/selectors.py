"""Reads of the policy area: restricted querysets for pages, and the shapes templates and exports need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.engines.policy import (
    STAGE_KINDS,
    K,
    Template,
    get_convention,
    get_template,
    installed_templates,
    service_quality,
)
from threadline.policy.models import (
    AdvisorySubmission,
    Assessment,
    AssessmentVersion,
    Decision,
    ImpactRating,
    Indicator,
    Policy,
)

#: Articles shown first on the impact page: the general principles, then sexual exploitation, trafficking and
#: other exploitation.
PROMINENT = ("crc-2", "crc-3", "crc-6", "crc-12", "crc-34", "crc-35", "crc-36")
DUE_WITHIN_DAYS = 30


def template_of(assessment: Assessment) -> Template:
    return get_template(assessment.template_id, assessment.template_version)


def policy_list(*, user, organisation, query: str = ""):
    qs = Policy.objects.restrict(user, "view", organisation).prefetch_related("assessments")
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(reference__icontains=query))
    return qs


def template_choices(language: str) -> list[tuple[str, str]]:
    """The installed assessment templates as (id, "title (version)"), to start an assessment from."""
    return [(t.id, f"{t.text(t.title, language)} ({t.version})") for t in installed_templates()]


def policy_parts(policy: Policy) -> dict[str, Any]:
    """What the policy's page lists: its assessments, results chain and indicators (with their values)."""
    return {
        "assessments": policy.assessments.all(),
        "results": policy.results.all(),
        "indicators": policy.indicators.prefetch_related("values"),
    }


def decision_of(assessment: Assessment) -> Decision | None:
    return getattr(assessment, "decision", None)


def assessment_parts(assessment: Assessment) -> dict[str, Any]:
    """What the assessment's page lists besides its answers: evidence, consultations, decision, the review
    comments and the frozen versions."""
    return {
        "evidence": assessment.evidence.all(),
        "consultations": assessment.consultations.all(),
        "decision": decision_of(assessment),
        "comments": assessment.comments.select_related("author"),
        "versions": assessment.versions.all(),
    }


def stage_parts(assessment: Assessment, stage: str) -> dict[str, Any]:
    """What a stage's page lists besides its questions: the evidence, the consultations, the decision or the
    policy's indicators."""
    if stage == "evidence":
        return {"evidence": assessment.evidence.all()}
    if stage == "consultation":
        return {"consultations": assessment.consultations.all()}
    if stage == "decision":
        return {"decision": decision_of(assessment)}
    if stage == "monitoring":
        return {"indicators": assessment.policy.indicators.all()}
    return {}


def versions_by_number(assessment: Assessment) -> dict[int, AssessmentVersion]:
    return {v.number: v for v in assessment.versions.select_related("created_by")}


def stage_rows(assessment: Assessment, language: str) -> list[dict]:
    template = template_of(assessment)
    return [
        {
            "kind": stage.kind,
            "title": template.text(stage.title, language),
            "done": stage.kind in assessment.completed_stages,
            "current": stage.kind == assessment.stage and assessment.status in ("draft", "published"),
        }
        for stage in template.stages
    ]


def stage_questions(assessment: Assessment, stage: str, language: str) -> list[dict]:
    template = template_of(assessment)
    answers = dict(assessment.answers.filter(stage=stage).values_list("question_id", "answer"))
    return [
        {
            "id": q.id,
            "text": template.text(q.text, language),
            "answer_kind": q.answer,
            "required": q.required,
            "answer": answers.get(q.id, ""),
        }
        for q in template.stage(stage).questions
    ]


def stage_problems(*, assessment: Assessment, stage: str) -> list[str]:
    """What is missing before ``stage`` can be completed (empty: it can)."""
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


def publication_problems(assessment: Assessment, child_friendly_summary: str = "x") -> list[str]:
    """What is missing before the assessment can be published (empty: it can); the summary is checked only when
    given."""
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


def publication_checklist(assessment: Assessment) -> dict[str, Any]:
    """The publication page's list: what is still missing, and each consultation with its feedback."""
    return {"problems": publication_problems(assessment), "consultations": assessment.consultations.all()}


def impact_articles(assessment: Assessment, language: str) -> list[dict]:
    """Every article of the Convention and the Protocol with this assessment's ratings, the prominent ones
    (general principles, 34–36) and the template's focus articles first."""
    convention = get_convention()
    focus = set(template_of(assessment).stage("impact").focus_articles)
    ratings: dict[str, list[ImpactRating]] = {}
    for rating in assessment.impacts.all():
        ratings.setdefault(rating.article, []).append(rating)
    rows = []
    for key, article in convention.articles.items():
        rows.append(
            {
                "key": key,
                "label": article.label(language),
                "general_principle": article.general_principle,
                "prominent": key in PROMINENT,
                "focus": key in focus,
                "ratings": ratings.get(key, []),
            }
        )
    rows.sort(key=lambda r: (not r["prominent"], not r["focus"]))
    return rows


def assessment_snapshot(assessment: Assessment) -> dict:
    """The whole assessment as data, frozen in a version at each transition."""
    decision = Decision.objects.filter(assessment=assessment).first()  # not the cached relation: it may be stale
    return {
        "template": [assessment.template_id, assessment.template_version],
        "status": assessment.status,
        "stage": assessment.stage,
        "completed_stages": list(assessment.completed_stages),
        "answers": {a.question_id: a.answer for a in assessment.answers.all()},
        "impacts": [
            {
                "article": i.article,
                "group": i.group,
                "rating": i.rating,
                "reasoning": i.reasoning,
                "mitigation": i.mitigation,
            }
            for i in assessment.impacts.all()
        ],
        "evidence": [
            {
                "id": e.pk,
                "kind": e.kind,
                "citation": e.citation,
                "summary": e.summary,
                "source_id": e.source_id,
                "source_version": e.source_version,
                "figure": e.figure_value,
            }
            for e in assessment.evidence.all()
        ],
        "consultations": [
            {
                "id": c.pk,
                "method": c.method,
                "held_on": c.held_on.isoformat(),
                "participants": c.participants,
                "feedback_returned": c.feedback_returned,
            }
            for c in assessment.consultations.all()
        ],
        "decision": (
            {
                "outcome": decision.outcome,
                "rationale": decision.rationale,
                "decided_on": decision.decided_on.isoformat(),
            }
            if decision
            else None
        ),
    }


def release_total(release) -> int | None:
    """The grand total of a protected release (None when it is suppressed or not in the table)."""
    for key, value, _accuracy in release.table.get("cells", []):
        if all(part is None for part in key):
            return None if value is None else int(value)
    return None


def citable_prevention_summaries(*, organisation):
    from threadline.prevention.models import PublishedSummary

    return PublishedSummary.objects.filter(organisation=organisation, withdrawn_at__isnull=True).order_by(
        "-published_at"
    )


def _at_least_k(value):
    return value if isinstance(value, int | float) and value >= K else None


def prevention_frozen(summary) -> dict[str, Any]:
    """What an assessment keeps of a published prevention summary: its id, time, reach and outcome change.
    The summary was suppressed when published; every count is checked again here, so nothing under k is kept
    whatever an older summary held."""
    figures = summary.figures or {}
    outcomes = []
    for o in figures.get("outcomes", []):
        overall = dict(o.get("overall") or {})
        small = any(not isinstance(overall.get(n), int | float) or overall[n] < K for n in ("n_pre", "n_post"))
        if overall.get("suppressed") or small:
            overall = {"suppressed": True}
        outcomes.append({"title": o.get("title"), "unit": o.get("unit"), "overall": overall})
    return {
        "summary_id": summary.pk,
        "published_at": summary.published_at.isoformat(timespec="seconds"),
        "k": K,
        "pupils_total": _at_least_k(figures.get("pupils_total")),
        "by_sex": {name: _at_least_k(n) for name, n in (figures.get("by_sex") or {}).items()},
        "by_age_band": {name: _at_least_k(n) for name, n in (figures.get("by_age_band") or {}).items()},
        "sessions": figures.get("sessions"),
        "outcomes": outcomes,
    }


def citable_releases(*, organisation):
    from threadline.insights.models import Release

    return Release.objects.filter(organisation=organisation, published=True).order_by("-published_at")


# -- public register ---------------------------------------------------------------------------------------
def published_assessments(query: str = ""):
    qs = (
        Assessment.objects.filter(status=Assessment.Status.PUBLISHED, organisation__is_active=True)
        .select_related("policy", "organisation", "publication")
        .order_by("-publication__published_at")
    )
    if query:
        qs = qs.filter(
            Q(policy__title__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(policy__reference__icontains=query)
        )
    return qs


def public_impacts(assessment: Assessment, language: str) -> list[dict]:
    convention = get_convention()
    return [
        {
            "article": convention.article(r.article).label(language) if r.article in convention.articles else r.article,
            "group": r.get_group_display(),
            "rating": r.get_rating_display(),
            "rating_code": r.rating,
            "reasoning": r.reasoning,
            "mitigation": r.mitigation,
        }
        for r in assessment.impacts.all()
    ]


# -- monitoring --------------------------------------------------------------------------------------------
@dataclass
class ReviewState:
    indicator: Indicator
    state: str  # "missed", "due", "ok", "none"
    latest: object | None


def monitoring_rows(*, user, organisation, today: date | None = None) -> list[ReviewState]:
    today = today or timezone.localdate()
    rows = []
    indicators = (
        Indicator.objects.restrict(user, "view", organisation)
        .select_related("policy", "result")
        .prefetch_related("values")
    )
    for indicator in indicators:
        values = list(indicator.values.all())
        if indicator.next_review_on is None:
            state = "none"
        elif indicator.next_review_on < today:
            state = "missed"
        elif indicator.next_review_on <= today + timedelta(days=DUE_WITHIN_DAYS):
            state = "due"
        else:
            state = "ok"
        rows.append(ReviewState(indicator, state, values[0] if values else None))
    order = {"missed": 0, "due": 1, "none": 2, "ok": 3}
    rows.sort(key=lambda r: (order[r.state], r.indicator.next_review_on or date.max))
    return rows


def indicator_values(indicator: Indicator) -> list[tuple[Any, list]]:
    """The indicator's values, each with its breakdown in words (:func:`breakdown_rows`)."""
    return [(v, breakdown_rows(v)) for v in indicator.values.all()]


# -- survivor advisory -------------------------------------------------------------------------------------
def service_quality_rows(*, organisation) -> list[dict]:
    """Survivor feedback on services, k=11-suppressed by the disclosure engine; never a submission."""
    rows = list(
        AdvisorySubmission.objects.filter(organisation=organisation, about=AdvisorySubmission.About.SERVICE).values(
            "area", *AdvisorySubmission.DIMENSIONS
        )
    )
    figures = service_quality(rows, area_field="area", dimensions=AdvisorySubmission.DIMENSIONS)
    areas = dict(AdvisorySubmission.Area.choices)
    labels = {d: AdvisorySubmission._meta.get_field(d).verbose_name for d in AdvisorySubmission.DIMENSIONS}
    table: dict[str, dict] = {}
    for row in figures:
        entry = table.setdefault(row["area"], {"area": areas.get(row["area"], row["area"]), "cells": {}})
        entry["responses"] = entry.get("responses") or row["responses"]
        entry["cells"][row["dimension"]] = row["share"]
    return [
        {
            "area": entry["area"],
            "responses": entry.get("responses"),
            "shares": [(labels[d], entry["cells"].get(d)) for d in AdvisorySubmission.DIMENSIONS],
        }
        for entry in table.values()
    ]


def dimension_labels() -> list[str]:
    """The questions survivors answer about a service, as the service quality table heads them."""
    return [AdvisorySubmission._meta.get_field(d).verbose_name for d in AdvisorySubmission.DIMENSIONS]


def next_stage(stage: str) -> str | None:
    index = STAGE_KINDS.index(stage) + 1
    return STAGE_KINDS[index] if index < len(STAGE_KINDS) else None


BREAKDOWN_LABELS = {
    "sex": _("By sex"),
    "age": _("By age group"),
    "form": _("By form of exploitation"),
    "female": _("Female"),
    "male": _("Male"),
    "child": _("Children (under 18)"),
    "adult": _("Adults (18 or older)"),
    "sexual_exploitation": _("Sexual exploitation"),
    "forced_labour": _("Forced labour"),
    "forced_criminality": _("Forced criminality"),
    "other": _("Other exploitation"),
    "age_band": _("By age band"),
    "coverage": _("Coverage"),
    "outcome": _("Change by outcome (after minus before)"),
    "share_of_district_pupils": _("Share of the pupils of the districts reached, per cent"),
    ("sex", "other"): _("Other"),
    ("sex", "not_stated"): _("Not stated"),
}


def breakdown_rows(value) -> list[tuple[str, list[tuple[str, float | None]]]]:
    """An indicator value's breakdown in words: [(group, [(category, value or None when suppressed)])]."""
    return [
        (
            str(BREAKDOWN_LABELS.get(group, group)),
            [
                (str(BREAKDOWN_LABELS.get((group, name), BREAKDOWN_LABELS.get(name, name))), cell.get("value"))
                for name, cell in cells.items()
            ],
        )
        for group, cells in (value.breakdown or {}).items()
    ]
