"""Synthetic demo cases for ``make run``, calibrated to the UNODC Global Report 2024 shares (2022 data):
children 38 % (girls 22 %, boys 16 %), women 39 %, men 23 %; 60 % of girls trafficked for sexual
exploitation; boys 45 % forced labour and 47 % other purposes (forced criminality, begging); forced
criminality about 8 % of all. Seeded, bland, and never a real person."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from threadline.cases import vocabulary as v
from threadline.synth.demo import DemoContext, demo_loader

GROUPS = [  # (share, child_status, gender, age range)
    (0.22, v.ChildStatus.CHILD, v.Gender.FEMALE, (9, 17)),
    (0.16, v.ChildStatus.CHILD, v.Gender.MALE, (9, 17)),
    (0.39, v.ChildStatus.ADULT, v.Gender.FEMALE, (18, 45)),
    (0.23, v.ChildStatus.ADULT, v.Gender.MALE, (18, 50)),
]
E = v.Exploitation
PURPOSES = {  # exploitation shares within each group
    (v.ChildStatus.CHILD, v.Gender.FEMALE): [
        (0.60, E.SEXUAL),
        (0.20, E.FORCED_LABOUR),
        (0.08, E.FORCED_CRIMINALITY),
        (0.07, E.FORCED_MARRIAGE),
        (0.05, E.BEGGING),
    ],
    (v.ChildStatus.CHILD, v.Gender.MALE): [
        (0.45, E.FORCED_LABOUR),
        (0.20, E.FORCED_CRIMINALITY),
        (0.27, E.BEGGING),
        (0.08, E.SEXUAL),
    ],
    (v.ChildStatus.ADULT, v.Gender.FEMALE): [
        (0.64, E.SEXUAL),
        (0.25, E.FORCED_LABOUR),
        (0.04, E.FORCED_MARRIAGE),
        (0.03, E.FORCED_CRIMINALITY),
        (0.02, E.SURROGACY),
        (0.02, E.ILLEGAL_ADOPTION),
    ],
    (v.ChildStatus.ADULT, v.Gender.MALE): [
        (0.68, E.FORCED_LABOUR),
        (0.08, E.FORCED_CRIMINALITY),
        (0.10, E.SEXUAL),
        (0.14, E.OTHER),
    ],
}
COUNTRIES = ["RO", "NG", "VN", "AL", "UA", "BG", "SY", "ER", "GB", "FR"]
CASES_PER_ORG = {"harbour": 150, "northline": 50}


def _quotas(total: int, weighted) -> list:
    """Exact counts by largest remainder, so a small demo still shows the calibrated shares."""
    raw = [(w * total, item) for w, item in weighted]
    counts = [int(r) for r, _item in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i][0] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return [item for (_r, item), n in zip(raw, counts, strict=True) for _ in range(n)]


def profiles(total: int, rng: random.Random) -> list[tuple]:
    """``total`` (child_status, gender, age range, exploitation) tuples in the UNODC shares, shuffled."""
    out = []
    groups = _quotas(total, [(g[0], g[1:]) for g in GROUPS])
    for key in dict.fromkeys(groups):
        n = groups.count(key)
        child_status, gender, ages = key
        out += [(child_status, gender, ages, e) for e in _quotas(n, PURPOSES[(child_status, gender)])]
    rng.shuffle(out)
    return out


@demo_loader(45, "cases: synthetic protection cases calibrated to UNODC shares")
def load_cases(ctx: DemoContext) -> str:
    from django.db import transaction

    with transaction.atomic():  # one commit: thousands of small audited writes would each wait for the disk
        return _load(ctx)


def _load(ctx: DemoContext) -> str:
    from threadline.cases import services
    from threadline.cases.models import Approval, Case, Consent

    rng = random.Random(ctx.seed + 6)
    today = timezone.localdate()
    harbour, northline = ctx.organisations["harbour"], ctx.organisations["northline"]
    if Case.objects.filter(organisation__in=[harbour, northline]).exists():
        return "already loaded"
    services.referral_partner_add(organisation=harbour, user=None, partner=northline)
    services.referral_partner_add(organisation=northline, user=None, partner=harbour)
    total = 0
    for slug, count in CASES_PER_ORG.items():
        org = ctx.organisations[slug]
        worker = ctx.users[f"{slug}:caseworker"]
        supervisor = ctx.users[f"{slug}:supervisor"]
        partner = northline if org == harbour else harbour
        for i, (child_status, gender, (low, high), exploitation) in enumerate(profiles(count, rng)):
            opened = today - timedelta(days=rng.randint(0, 700))
            case = services.case_open(
                organisation=org,
                user=worker,
                full_name=f"Synthetic Person {slug[:1].upper()}{i:04d}" if rng.random() < 0.7 else "",
                child_status=child_status,
                gender=gender,
                age_at_registration=rng.randint(low, high),
                citizenship=rng.choice(COUNTRIES),
                country_of_exploitation=org.country,
                exploitation=exploitation,
                means_of_control=sorted(rng.sample(v.MeansOfControl.values, rng.randint(0, 4))),
                recruitment=rng.choice(v.Recruitment.values),
                recruiter_relation=rng.choice(v.RecruiterRelation.values),
                identification_method=rng.choice(v.IdentificationMethod.values),
                identified_on=opened,
                opened_on=opened,
            )
            consent_day = opened + timedelta(days=1)
            if rng.random() < 0.9:
                services.consent_record(
                    case=case,
                    user=worker,
                    scope=Consent.Scope.SERVICES,
                    informed_on=consent_day,
                    language=rng.choice(["English", "French", "Romanian", "Vietnamese"]),
                )
            if rng.random() < 0.8:
                services.consent_record(
                    case=case, user=worker, scope=Consent.Scope.STATISTICS, informed_on=consent_day, language="English"
                )
            if rng.random() < 0.3:
                services.consent_record(
                    case=case,
                    user=worker,
                    scope=Consent.Scope.SHARING,
                    partner=partner,
                    shares=["summary", "services"],
                    informed_on=consent_day,
                    language="English",
                )
            if rng.random() < 0.6:
                services.child_view_record(
                    case=case,
                    user=worker,
                    topic="general",
                    recorded_on=consent_day,
                    text="Wants to stay in a safe place and go back to school.",
                )
            if services.case_allows(case=case, scope="services"):
                for kind in rng.sample(["shelter", "medical", "psychosocial", "legal_aid", "education"], 1):
                    services.service_add(
                        case=case,
                        user=worker,
                        kind=kind,
                        provider="Demo provider",
                        start_on=consent_day,
                        status=rng.choice(["planned", "ongoing", "completed"]),
                    )
                services.assessment_save(
                    case=case, user=worker, needs=["shelter", "psychosocial"], assessed_on=consent_day
                )
                services.plan_task_add(
                    case=case,
                    user=worker,
                    goal="Safe accommodation",
                    task="Review the placement",
                    due_on=today + timedelta(days=rng.randint(-10, 30)),
                    follow_up_on=today + timedelta(days=rng.randint(0, 20)),
                )
            if opened < today - timedelta(days=400) and rng.random() < 0.5:
                approval = services.approval_request(
                    case=case, user=worker, subject=Approval.Subject.CLOSURE, note="Goals met"
                )
                services.approval_decide(approval=approval, user=supervisor, approve=True, note="Agreed")
                Case.objects.filter(pk=case.pk).update(closed_on=opened + timedelta(days=300))
            total += 1
        # Completed screenings with indicators open their case, linked (the usual way in).
        from threadline.screening.models import Screening

        screened = Screening.objects.filter(organisation=org, outcome__in=["presumed_victim", "further_assessment"])
        for screening in screened.filter(cases__isnull=True)[:5]:
            services.case_open_from_screening(screening=screening, user=worker)
        # A few referrals waiting in the partner's inbox.
        sharing = Case.objects.filter(organisation=org, consents__scope="sharing", status__in=v.OPEN_STATUSES)
        for case in sharing.distinct()[:3]:
            services.referral_create(
                case=case,
                user=worker,
                to_organisation=partner,
                reason="Specialist shelter",
                services=["shelter"],
                shares=["summary", "services"],
            )
    return f"{total} cases"
