"""Policies and assessments at each point of their life, built through the services as the pages do."""

from __future__ import annotations

import itertools
from datetime import date

from threadline.policy import services
from threadline.policy.models import Assessment, ImpactRating

_n = itertools.count(1)
TEMPLATE = "unicef-uk-cfc-cria"
FOCUS = ("crc-2", "crc-3", "crc-6", "crc-12", "crc-34", "crc-35", "crc-36")
ANSWERS = {
    "screening": {"affects_children": "yes", "which_children": "Pupils aged 11 to 16 in the city's schools."},
    "scoping": {"aims": "A safer route home from school.", "rights_engaged": "Articles 3, 19 and 34."},
    "evidence": {"data_gaps": "Little is known about children out of school."},
    "consultation": {"how_heard": "Workshops in two schools and a youth centre."},
    "impact": {"unequal_effects": "Children in care travel further."},
    "options": {"alternatives": "A later bus.", "mitigation": "Escorts for children in care."},
    "decision": {"best_interests_weight": "Safety of children came first."},
    "monitoring": {"review_plan": "Yearly review with the youth council."},
}


def policy(org, user, title=None):
    return services.policy_create(organisation=org, user=user, title=title or f"Safer journeys {next(_n)}")


def started(org, user):
    return services.assessment_start(policy=policy(org, user), user=user, template_id=TEMPLATE)


def complete(assessment, user, stage):
    services.answers_save(assessment=assessment, user=user, stage=stage, answers=ANSWERS[stage])
    return services.stage_complete(assessment=assessment, user=user, stage=stage)


def consultation(assessment, user, *, feedback=True):
    c = services.consultation_record(
        assessment=assessment,
        user=user,
        method="workshop",
        held_on=date(2026, 3, 1),
        participants={"13_15:girls": 7, "13_15:boys": 5},
        what_they_said="Buses are too crowded after school.",
        how_it_changed="An extra bus was added.",
    )
    if feedback:
        services.consultation_return_feedback(
            consultation=c,
            user=user,
            feedback_summary="You told us buses are crowded. We added one.",
            returned_on=date(2026, 3, 20),
        )
    return c


def ready_for_review(org, user):
    a = started(org, user)
    for stage in ("screening", "scoping"):
        complete(a, user, stage)
    services.evidence_add_citation(assessment=a, user=user, citation="City travel survey 2025")
    complete(a, user, "evidence")
    consultation(a, user)
    complete(a, user, "consultation")
    for key in FOCUS:
        services.impact_save(
            assessment=a,
            user=user,
            article=key,
            group=ImpactRating.Group.ALL,
            rating="positive",
            reasoning="Safer journeys.",
        )
    complete(a, user, "impact")
    complete(a, user, "options")
    services.decision_record(
        assessment=a, user=user, outcome="changed", rationale="Extra bus.", decided_on=date(2026, 4, 1)
    )
    complete(a, user, "decision")
    return a


def submitted(org, user):
    a = ready_for_review(org, user)
    return services.assessment_submit(assessment=a, user=user)


def reviewed(org, user, reviewer):
    a = submitted(org, user)
    return services.assessment_review(assessment=a, user=reviewer, passed=True)


def approved(org, user, reviewer, approver):
    a = reviewed(org, user, reviewer)
    return services.assessment_approve(assessment=a, user=approver, approved=True)


def published(org, user, reviewer, approver) -> Assessment:
    a = approved(org, user, reviewer, approver)
    services.assessment_publish(assessment=a, user=user, summary="Summary.", child_friendly_summary="We listened.")
    a.refresh_from_db()
    return a
