"""Synthetic prevention data for tests: bland names, seeded answers, no pupil ever named."""

from __future__ import annotations

import itertools
from datetime import date

from threadline.engines.prevention import get_questionnaire
from threadline.prevention import services

_n = itertools.count(1)
CURRICULUM = "starter-safe-and-equal"
QUESTIONNAIRE = "pupil-prepost-starter"


def district(org, name=None):
    return services.district_save(
        organisation=org, name=name or f"District {next(_n)}", schools_total=20, pupils_total=5000
    )


def school(org, name=None, in_district=None):
    return services.school_save(
        organisation=org,
        name=name or f"Riverside School {next(_n)}",
        district=in_district or district(org),
        kind="secondary",
        pupils_total=400,
    )


def plan(org, at_school=None):
    return services.plan_create(
        organisation=org,
        school=at_school or school(org),
        curriculum_key=CURRICULUM,
        questionnaire_id=QUESTIONNAIRE,
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 12, 20),
    )


def facilitator_for(org, user, schools):
    from threadline.accounts.models import Membership

    membership = Membership.objects.get(organisation=org, user=user)
    return services.facilitator_save(organisation=org, membership=membership, schools=schools)


def session(org, user, at_plan=None, pupils=14):
    at_plan = at_plan or plan(org)
    return services.session_log(
        user=user,
        plan=at_plan,
        module_session="respect_and_equality/boxes_we_are_put_in",
        delivered_on=date(2026, 2, 3),
        class_label="8B",
        attendance={"female": {"12-15": pupils // 2}, "male": {"12-15": pupils - pupils // 2}},
    )


def survey_round(org, user, at_plan=None, phase="pre"):
    return services.round_open(user=user, plan=at_plan or plan(org), phase=phase, class_label="8B")


def answers(shift: int = 0) -> dict[str, str]:
    q = get_questionnaire(QUESTIONNAIRE)
    out = {}
    for item in q.items:
        if item.kind == "agreement":
            out[item.id] = str(min(item.high, 3 + shift))
        else:
            out[item.id] = str(item.correct)
    return out


def concern(org, user, at_session=None):
    return services.concern_record(
        user=user,
        session=at_session or session(org, user),
        category="concern",
        urgency="today",
        note="A worry shared after the session.",
    )


def protocol(org, lead_user):
    from threadline.accounts.models import Membership

    lead = Membership.objects.get(organisation=org, user=lead_user)
    return services.protocol_save(
        organisation=org,
        designated_lead=lead,
        steps=["Listen", "Tell the lead"],
        acknowledge_within_hours=4,
        close_within_hours=48,
        mandatory_reporting="Report to children's services within 24 hours.",
    )
