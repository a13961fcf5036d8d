"""Prevention dashboard at 1,000,000 survey responses across 2,000 schools: p95 of the coordinator's pages
(target < 300 ms, issue #15).

Builds a fresh database: one organisation with ``--schools`` schools in 20 districts, a plan per school, two
classes per school with every module of the starter curriculum logged (class reach precomputed as the web
app does), ``--n`` responses from the engine's seeded generator (a modest effect) with their outcome tallies,
and a few hundred safeguarding concerns. Then times signed-in requests through the whole Django stack:

    .venv/bin/python benchmarks/bench_prevention_web.py                     # SQLite in a temporary directory
    .venv/bin/python benchmarks/bench_prevention_web.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

The dashboard reads the precomputed rows (class reach, outcome tallies) in SQL; it never loads responses.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cases import _client, _configure, _time, drop_scratch_database

BENCH_DB = "threadline_bench_prevention"
DISTRICTS = 20


def _load(n: int, schools_n: int, seed: int):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from threadline.accounts.services import organisation_create, user_create
    from threadline.core import crypto
    from threadline.engines.prevention import generate_responses, get_curriculum, get_questionnaire
    from threadline.prevention import services
    from threadline.prevention.models import (
        ClassReach,
        Concern,
        District,
        ProgrammePlan,
        School,
        SessionDelivery,
        SurveyResponse,
    )

    if not Path(os.environ["THREADLINE_KEY_FILE"]).exists():
        crypto.write_key_file(Path(os.environ["THREADLINE_KEY_FILE"]), {1: crypto.new_key()})
    crypto.reset_keyring()
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"migrated in {time.perf_counter() - t:.0f} s", flush=True)
    rng = random.Random(seed)
    org = organisation_create(name="Bench Prevention Agency")
    user = user_create(
        email="coordinator@bench.example",
        password="bench-password-123456",
        organisation=org,
        role="prevention_coordinator",
    )
    curriculum = get_curriculum("starter-safe-and-equal")
    q = get_questionnaire("pupil-prepost-starter")
    keys = [(m["id"], s["id"]) for m in curriculum.modules for s in m["sessions"]]
    start = date.today() - timedelta(days=200)
    t = time.perf_counter()
    with transaction.atomic():
        districts = District.objects.bulk_create(
            District(
                organisation=org,
                name=f"District {i:02d}",
                schools_total=schools_n // DISTRICTS + 20,
                pupils_total=60_000,
            )
            for i in range(DISTRICTS)
        )
        schools = School.objects.bulk_create(
            School(
                organisation=org,
                name=f"School {i:04d}",
                district=districts[i % DISTRICTS],
                kind="secondary",
                pupils_total=500,
            )
            for i in range(schools_n)
        )
        plans = ProgrammePlan.objects.bulk_create(
            ProgrammePlan(
                organisation=org,
                school=s,
                curriculum_id=curriculum.id,
                curriculum_version=curriculum.version,
                questionnaire_id=q.id,
                starts_on=start,
                ends_on=start + timedelta(days=240),
            )
            for s in schools
        )
        sessions, reach = [], []
        for plan, school in zip(plans, schools, strict=True):
            for class_label in ("9A", "9B"):
                best: dict[tuple[str, str], int] = {}
                for index, (module_id, session_id) in enumerate(keys):
                    counts = {"female": {"12-15": rng.randint(9, 16)}, "male": {"12-15": rng.randint(9, 16)}}
                    for sex, by_band in counts.items():
                        for band, value in by_band.items():
                            best[(sex, band)] = max(best.get((sex, band), 0), value)
                    sessions.append(
                        SessionDelivery(
                            organisation=org,
                            plan=plan,
                            module_id=module_id,
                            session_id=session_id,
                            class_label=class_label,
                            delivered_on=start + timedelta(days=7 * index + 14),
                            pupils=sum(v["12-15"] for v in counts.values()),
                            attendance=counts,
                        )
                    )
                reach.extend(
                    ClassReach(
                        organisation=org,
                        plan=plan,
                        school=school,
                        district_id=school.district_id,
                        class_label=class_label,
                        sex=sex,
                        age_band=band,
                        pupils=value,
                    )
                    for (sex, band), value in best.items()
                )
        SessionDelivery.objects.bulk_create(sessions, batch_size=5000)
        ClassReach.objects.bulk_create(reach, batch_size=5000)
    print(f"{len(schools)} schools, {len(sessions)} sessions in {time.perf_counter() - t:.0f} s", flush=True)

    t = time.perf_counter()
    table = generate_responses(q, n, schools=schools_n, seed=seed, effect=0.3, invalid_share=0.0)
    columns = table.to_pydict()
    school_index = {f"school-{i:04d}": i for i in range(schools_n)}
    items = [i.id for i in q.items]
    day = start + timedelta(days=60)
    batch, tally_rows = [], []
    for r in range(table.num_rows):
        s = school_index[columns["school"][r]]
        answers = {i: columns[i][r] for i in items if columns[i][r]}
        code = columns["code"][r]
        phase, sex, band = columns["phase"][r], columns["sex"][r], columns["age_band"][r] or ""
        batch.append(
            SurveyResponse(
                organisation=org,
                plan=plans[s],
                school=schools[s],
                questionnaire_id=q.id,
                questionnaire_version=q.version,
                phase=phase,
                sex=sex,
                age_band=band,
                pair_key=services.pair_key(schools[s].pk, code) if code else "",
                answers=answers,
                source="paper",
                recorded_on=day,
            )
        )
        period = f"{day + timedelta(days=90 * (phase == 'post')):%Y-%m}"
        tally_rows.append((period, phase, sex, band, answers))
        if len(batch) == 20_000:
            SurveyResponse.objects.bulk_create(batch)
            batch = []
    if batch:
        SurveyResponse.objects.bulk_create(batch)
    services.tallies_add(org.pk, q, tally_rows)
    print(f"{table.num_rows} responses and their tallies in {time.perf_counter() - t:.0f} s", flush=True)

    now = timezone.now()
    session_ids = list(SessionDelivery.objects.filter(organisation=org).values_list("pk", "plan__school_id")[:400])
    Concern.objects.bulk_create(
        Concern(
            organisation=org,
            session_id=pk,
            school_id=school_id,
            category=rng.choice(Concern.Category.values),
            urgency="today",
            sex=rng.choice(("female", "male")),
            age_band="12-15",
            received_at=now - timedelta(hours=rng.randint(10, 2000)),
            acknowledge_due_at=now,
            close_due_at=now,
            acknowledged_at=now - timedelta(hours=rng.randint(0, 9)),
            status="acknowledged",
        )
        for pk, school_id in session_ids
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return org, user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="survey responses (default 1000000)")
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=30, help="requests per page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (a scratch database is created)")
    args = parser.parse_args()
    admin_url = args.database_url or None
    if admin_url:
        import bench_cases

        bench_cases.BENCH_DB = BENCH_DB
    _configure(args)
    from django.db import connection

    t = time.perf_counter()
    org, user = _load(args.n, args.schools, args.seed)
    print(f"prevention benchmark on {connection.vendor}: loaded in {time.perf_counter() - t:.0f} s")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    client = _client(user, org)
    from threadline.accounts.services import token_create

    _token, key = token_create(user=user, organisation=org, name="bench")
    api = _client(user, org)
    api.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    scenarios = [
        ("programme dashboard", client, "/prevention/dashboard/"),
        ("HTYPE sheet (CSV)", client, "/prevention/dashboard/htype.csv"),
        ("API aggregates", api, "/api/v1/prevention/aggregates/"),
    ]
    worst = 0.0
    for name, use, url in scenarios:
        use.get(url, secure=True)  # warm
        median, p95, cpu95 = _time(use, lambda i, url=url: url, args.repeats)
        if name == "programme dashboard":
            worst = p95
        print(f"  {name:24s} median {median:6.1f} ms   p95 {p95:6.1f} ms   cpu p95 {cpu95:6.1f} ms", flush=True)
    print(f"dashboard p95: {worst:.1f} ms (target < 300 ms)")
    print("load average during the run: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    from django.db import connections

    connections.close_all()
    shutil.rmtree(os.environ["THREADLINE_DATA_DIR"], ignore_errors=True)
    drop_scratch_database(admin_url, BENCH_DB)
    return 0 if worst < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
