"""Synthetic prevention demo: districts, schools, plans, sessions, a protocol and pupils' answers with a modest
effect (drawn by the engine's seeded generator), so the dashboard and analyses show a living programme.
School and district names are invented; no row describes a real pupil."""

from __future__ import annotations

import random
from datetime import date, timedelta

from threadline.synth.demo import DemoContext, demo_loader

DISTRICTS = {
    "harbour": [("Harbourside", 40, 18000), ("Millbrook", 25, 9000)],
    "northline": [("Val-du-Nord", 30, 12000)],
}
SCHOOLS_PER_DISTRICT = 4
RESPONSES_PER_SCHOOL = 120


@demo_loader(60, "prevention: schools, sessions, surveys and a safety protocol")
def load_prevention_demo(ctx: DemoContext) -> str:
    from threadline.accounts.models import Membership
    from threadline.engines.prevention import generate_responses, get_curriculum, get_questionnaire
    from threadline.prevention import services
    from threadline.prevention.models import School

    curriculum = get_curriculum("starter-safe-and-equal")
    questionnaire = get_questionnaire("pupil-prepost-starter")
    keys = [(m["id"], s["id"]) for m in curriculum.modules for s in m["sessions"]]
    rng = random.Random(ctx.seed + 15)
    made = 0
    for slug, org in ctx.organisations.items():
        if School.objects.filter(organisation=org).exists():
            continue
        coordinator = ctx.users.get(f"{slug}:prevention_coordinator")
        facilitator = ctx.users.get(f"{slug}:facilitator")
        lead = ctx.users.get(f"{slug}:supervisor")
        if coordinator is None or facilitator is None:
            continue
        if lead is not None:
            services.protocol_save(
                organisation=org,
                designated_lead=Membership.objects.get(organisation=org, user=lead),
                steps=[
                    "Listen calmly and do not promise secrecy.",
                    "Record the concern in Threadline at once.",
                    "The designated lead decides on a screening or a report the same day.",
                ],
                acknowledge_within_hours=4,
                close_within_hours=72,
                mandatory_reporting="Report suspected child exploitation to children's services within 24 hours.",
            )
        schools = []
        for name, n_schools, n_pupils in DISTRICTS.get(slug, []):
            district = services.district_save(
                organisation=org, name=name, schools_total=n_schools, pupils_total=n_pupils
            )
            for i in range(SCHOOLS_PER_DISTRICT):
                schools.append(
                    services.school_save(
                        organisation=org,
                        name=f"{name} School {i + 1}",
                        district=district,
                        kind="secondary",
                        pupils_total=450,
                    )
                )
        trained = services.facilitator_save(
            organisation=org, membership=Membership.objects.get(organisation=org, user=facilitator), schools=schools[:3]
        )
        services.training_add(
            facilitator=trained,
            course="Safeguarding and the school safety protocol",
            completed_on=date.today() - timedelta(days=180),
            hours=6,
        )
        start = date.today() - timedelta(days=150)
        for index, school in enumerate(schools):
            plan = services.plan_create(
                organisation=org,
                school=school,
                curriculum_key=curriculum.id,
                questionnaire_id=questionnaire.id,
                starts_on=start,
                ends_on=start + timedelta(days=240),
            )
            for class_label in ("8A", "8B"):
                for n, key in enumerate(keys):
                    girls, boys = rng.randint(10, 16), rng.randint(10, 16)
                    services.session_log(
                        user=facilitator,
                        plan=plan,
                        module_session="/".join(key),
                        delivered_on=start + timedelta(days=7 * n + 14),
                        class_label=class_label,
                        attendance={
                            "female": {"12-15": girls},
                            "male": {"12-15": boys},
                            "not_stated": {"12-15": rng.randint(0, 2)},
                        },
                    )
            table = generate_responses(
                questionnaire, RESPONSES_PER_SCHOOL, schools=1, seed=ctx.seed + index, effect=0.3, invalid_share=0.0
            )
            lines = [",".join(["phase", "code", "sex", "age_band", *(i.id for i in questionnaire.items)])]
            columns = table.to_pydict()
            for r in range(table.num_rows):
                values = [columns["phase"][r], columns["code"][r], columns["sex"][r], columns["age_band"][r]]
                values += [columns[i.id][r] for i in questionnaire.items]
                lines.append(",".join(v or "" for v in values))
            report = services.responses_upload(
                user=coordinator,
                plan=plan,
                data="\n".join(lines).encode(),
                source="demo.csv",
                recorded_on=start + timedelta(days=30),
            )
            made += report.created
    return f"{made} survey responses"
