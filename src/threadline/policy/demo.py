"""Demo: for Harbour, one policy whose assessment is published (citing the demo insights release), one with an
assessment in progress, monitoring indicators with values (SDG 16.2.2 from the insights store, time to services
and services without cooperation from the demo cases, one entered by hand) and seeded survivor feedback.

Every text is bland and invented; population figures are round made-up numbers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from threadline.synth.demo import DemoContext, demo_loader

FEEDBACK = 200
FOCUS = ("crc-2", "crc-3", "crc-6", "crc-12", "crc-34", "crc-35", "crc-36")
ANSWERS = {
    "screening": {"affects_children": "yes", "which_children": "Pupils travelling to and from school."},
    "scoping": {"aims": "Safer journeys to school.", "rights_engaged": "Articles 3, 19, 34 and 35."},
    "evidence": {"data_gaps": "Few figures on children out of school."},
    "consultation": {"how_heard": "Workshops in two schools and a youth centre."},
    "impact": {"unequal_effects": "Children in care travel further than others."},
    "options": {"alternatives": "Later buses or escorts.", "mitigation": "Escorts for children in care."},
    "decision": {"best_interests_weight": "Safety of children weighed first."},
    "monitoring": {"review_plan": "Yearly review with the youth council."},
}


def _assess(assessment, officer, release, stages):
    from threadline.policy import services

    for stage in stages:
        services.answers_save(assessment=assessment, user=officer, stage=stage, answers=ANSWERS[stage])
        if stage == "evidence":
            services.evidence_add_citation(assessment=assessment, user=officer, citation="City travel survey 2025")
            if release is not None:
                services.evidence_cite_release(assessment=assessment, user=officer, release=release)
        if stage == "consultation":
            consultation = services.consultation_record(
                assessment=assessment,
                user=officer,
                method="workshop",
                held_on=date(2026, 3, 4),
                participants={"8_12:girls": 9, "8_12:boys": 8, "13_15:girls": 12, "13_15:boys": 10},
                what_they_said="Buses are crowded and stops are dark in winter.",
                how_it_changed="Lighting at four stops and an extra afternoon bus.",
            )
            services.consultation_return_feedback(
                consultation=consultation,
                user=officer,
                feedback_summary="You told us stops are dark and buses full. We are adding lights and a bus.",
                returned_on=date(2026, 3, 25),
            )
        if stage == "impact":
            for key in FOCUS:
                services.impact_save(
                    assessment=assessment,
                    user=officer,
                    article=key,
                    group="all",
                    rating="positive",
                    reasoning="Safer journeys for every pupil.",
                )
            services.impact_save(
                assessment=assessment,
                user=officer,
                article="crc-2",
                group="in_care",
                rating="negative",
                reasoning="Longer journeys from care homes.",
                mitigation="Escorts on request.",
            )
        if stage == "decision":
            services.decision_record(
                assessment=assessment,
                user=officer,
                outcome="changed",
                rationale="Lights and an extra bus.",
                decided_on=date(2026, 4, 2),
            )
        services.stage_complete(assessment=assessment, user=officer, stage=stage)


@demo_loader(70, "policy: assessments, monitoring indicators and survivor feedback")
def load_policy_demo(ctx: DemoContext) -> str | None:
    from threadline.insights.models import Release
    from threadline.policy import services
    from threadline.policy.models import AdvisorySubmission, Policy

    org = ctx.organisations.get("harbour")
    if org is None or Policy.objects.filter(organisation=org).exists():
        return None
    officer = ctx.users[f"{org.slug}:policy_officer"]
    reviewer = ctx.users[f"{org.slug}:policy_reviewer"]
    approver = ctx.users[f"{org.slug}:policy_approver"]
    data = ctx.users[f"{org.slug}:data_officer"]
    release = Release.objects.filter(organisation=org, published=True).first()

    transport = services.policy_create(
        organisation=org,
        user=officer,
        title="Safe journeys to school",
        kind="programme",
        reference="HCP-2026-04",
        department="Education and transport",
        summary="Lighting, escorts and buses for pupils' journeys.",
    )
    published = services.assessment_start(policy=transport, user=officer, template_id="unicef-uk-cfc-cria")
    _assess(
        published,
        officer,
        release,
        ["screening", "scoping", "evidence", "consultation", "impact", "options", "decision"],
    )
    services.assessment_submit(assessment=published, user=officer)
    services.assessment_review(assessment=published, user=reviewer, passed=True, comment="Clear and complete.")
    services.assessment_approve(assessment=published, user=approver, approved=True)
    services.assessment_publish(
        assessment=published,
        user=officer,
        summary="Lighting at four stops and an extra bus after school.",
        child_friendly_summary="You told us bus stops are dark and buses are full. We are adding lights and a bus.",
    )

    shelter = services.policy_create(
        organisation=org,
        user=officer,
        title="Youth shelter capacity plan",
        kind="service",
        summary="More emergency beds for young people.",
    )
    draft = services.assessment_start(policy=shelter, user=officer, template_id="enoc-cfr-2020")
    services.answers_save(
        assessment=draft, user=officer, stage="screening", answers={"affects_children": "yes", "ex_ante": "yes"}
    )
    services.stage_complete(assessment=draft, user=officer, stage="screening")

    for description, level in (
        ("Funding for lights and buses", "input"),
        ("Four stops lit", "output"),
        ("Pupils feel safe travelling", "outcome"),
        ("Fewer children harmed", "impact"),
    ):
        services.results_item_add(policy=transport, user=data, level=level, description=description)
    years = [str(y) for y in range(2015, 2027)]
    for year in years:
        for age, sex, population in (
            ("total", "total", 1_250_000),
            ("total", "female", 640_000),
            ("total", "male", 610_000),
            ("child", "total", 260_000),
            ("adult", "total", 990_000),
        ):
            services.population_save(
                organisation=org,
                user=data,
                year=int(year),
                age_group=age,
                sex=sex,
                population=population,
                source="Made-up demo figures",
            )
    today = date.today()
    sdg = services.indicator_create(
        policy=transport,
        user=data,
        name="SDG 16.2.2 victims per 100,000",
        source="sdg_16_2_2",
        unit="per 100,000",
        review_every_months=12,
    )
    timely = services.indicator_create(
        policy=shelter,
        user=data,
        name="Days from identification to help",
        source="time_to_services",
        unit="days",
        target=Decimal("3"),
        next_review_on=today - timedelta(days=10),
    )
    free = services.indicator_create(
        policy=shelter,
        user=data,
        name="Help without conditions",
        source="without_cooperation",
        unit="%",
        next_review_on=today + timedelta(days=12),
    )
    safe = services.indicator_create(
        policy=transport,
        user=data,
        name="Pupils who feel safe on the way (survey)",
        unit="%",
        baseline=Decimal("58"),
        baseline_year=2025,
        target=Decimal("75"),
        target_year=2027,
    )
    services.indicator_value_add(indicator=safe, user=data, period="2025", value=Decimal("58"))
    services.indicator_value_add(indicator=safe, user=data, period="2026", value=Decimal("63"))
    computed = services.indicators_recompute_for(organisation=org, user=data)
    del sdg, timely, free

    rng = random.Random(ctx.seed + 16)
    areas = [a for a in AdvisorySubmission.Area.values if a != "other"]
    for _i in range(FEEDBACK):
        area = rng.choice(areas[:4])
        services.advisory_submit(
            organisation=org,
            about="service",
            area=area,
            answers={d: rng.choice(("yes", "yes", "yes", "partly", "no")) for d in AdvisorySubmission.DIMENSIONS},
        )
    services.advisory_submit(
        organisation=org,
        about="material",
        area="other",
        answers={},
        comments="The leaflet was easy to read. A version with pictures would help.",
    )
    return (
        f"2 policies, 1 published assessment, {computed} computed indicator values, {FEEDBACK + 1} feedback submissions"
    )
