"""Indicators computed from Threadline data match hand-computed values and never publish a figure under 11."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.insights.conftest import csv_upload, plan_rows
from tests.policy import factories
from threadline.policy import services
from threadline.policy.models import Indicator

pytestmark = pytest.mark.django_db

HEADER = ["case_id", "yearOfRegistration", "gender", "majorityStatus", "isSexualExploit", "isForcedLabour"]
#: Every cell of the year-by-age-by-sex table at least 11, so every figure can be checked by hand.
PLAN_2023 = {
    ("2023", "Female", "Minor", 1, 0): 20,
    ("2023", "Male", "Minor", 0, 1): 15,
    ("2023", "Female", "Adult", 1, 0): 40,
    ("2023", "Male", "Adult", 0, 1): 22,
}
PLAN_2024 = {
    ("2024", "Female", "Minor", 1, 0): 25,
    ("2024", "Male", "Minor", 0, 1): 12,
    ("2024", "Female", "Adult", 1, 0): 30,
    ("2024", "Male", "Adult", 0, 1): 33,
}


@pytest.fixture(autouse=True)
def insights_root(settings, tmp_path):
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")


def _import(org, user, plan, name):
    from threadline.insights import services as insights

    job = insights.import_upload(
        organisation=org, user=user, uploaded_file=csv_upload(plan_rows(plan), HEADER, name), fmt="htcds", source=name
    )
    job = insights.import_set_mapping(job=job, mapping=job.mapping)
    insights.import_start(job=job, user=user)
    job.refresh_from_db()
    assert job.status == job.Status.IMPORTED, job.report


def _populations(org, user, year):
    for age, sex, n in (
        ("total", "total", 1_000_000),
        ("total", "female", 510_000),
        ("total", "male", 490_000),
        ("child", "total", 200_000),
        ("adult", "total", 800_000),
    ):
        services.population_save(organisation=org, user=user, year=year, age_group=age, sex=sex, population=n)


@pytest.fixture
def sdg(org, make_user):
    officer = make_user(org, "policy_officer")
    data = make_user(org, "data_officer")
    policy = factories.policy(org, officer)
    indicator = services.indicator_create(policy=policy, user=data, name="SDG 16.2.2", source="sdg_16_2_2")
    return indicator, data


def test_sdg_16_2_2_matches_hand_computed_rates(org, sdg):
    indicator, data = sdg
    _populations(org, data, 2023)
    _import(org, data, PLAN_2023, "partner-2023.csv")
    value = indicator.values.get()  # added by the import itself
    assert value.period == "2023" and value.computed
    assert value.value == Decimal("9.70")  # 97 victims / 1,000,000 * 100,000
    assert value.breakdown["sex"]["female"]["value"] == 11.76  # 60 / 510,000
    assert value.breakdown["sex"]["male"]["value"] == 7.55  # 37 / 490,000
    assert value.breakdown["age"]["child"]["value"] == 17.5  # 35 / 200,000
    assert value.breakdown["age"]["adult"]["value"] == 7.75  # 62 / 800,000
    assert value.breakdown["form"]["sexual_exploitation"]["value"] == 6.0  # 60 / 1,000,000
    assert value.breakdown["form"]["forced_labour"]["value"] == 3.7  # 37 / 1,000,000
    assert value.breakdown["form"]["forced_criminality"]["suppressed"]  # not in the data: nothing published


def test_a_new_import_adds_a_new_value_for_the_latest_year(org, sdg):
    indicator, data = sdg
    _populations(org, data, 2023)
    _import(org, data, PLAN_2023, "partner-2023.csv")
    _populations(org, data, 2024)
    _import(org, data, PLAN_2024, "partner-2024.csv")
    latest, first = list(indicator.values.all())[:2]
    assert (first.period, latest.period) == ("2023", "2024")
    assert latest.value == Decimal("10.00")  # 100 / 1,000,000
    services.indicator_recompute(indicator=indicator, user=data)
    assert indicator.values.count() == 3


def test_a_count_under_11_is_never_published(org, sdg):
    indicator, data = sdg
    _populations(org, data, 2023)
    plan = dict(PLAN_2023)
    plan[("2023", "Male", "Minor", 0, 1)] = 5
    _import(org, data, plan, "small.csv")
    value = indicator.values.get()
    assert value.breakdown["age"]["child"]["value"] is None or value.breakdown["age"]["child"]["n"] >= 11
    for group in value.breakdown.values():
        for cell in group.values():
            assert cell["suppressed"] or cell["n"] >= 11


def test_without_population_or_data_the_indicator_says_why(org, sdg):
    indicator, data = sdg
    with pytest.raises(services.PolicyError, match="import a file"):
        services.indicator_recompute(indicator=indicator, user=data)
    _import(org, data, PLAN_2023, "partner-2023.csv")
    with pytest.raises(services.PolicyError, match="population"):
        services.indicator_recompute(indicator=indicator, user=data)


def _cases(org, user, n, *, days, cooperating=0):
    from tests.cases.factories import new_case
    from threadline.cases.models import Cooperation, Service

    identified = date(2026, 1, 1)
    for i in range(n):
        case = new_case(org, user, identified_on=identified)
        start = identified + timedelta(days=days[i % len(days)])
        Service.objects.create(case=case, kind="shelter", provider="Shelter", start_on=start, status="ongoing")
        if i < cooperating:
            Cooperation.objects.create(case=case, stance="cooperating")


def test_time_to_services_is_the_median_of_at_least_11_waits(org, make_user):
    worker = make_user(org, "caseworker")
    policy = factories.policy(org, worker)
    indicator = services.indicator_create(policy=policy, user=worker, name="Days to help", source="time_to_services")
    _cases(org, worker, 10, days=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert services.indicator_recompute(indicator=indicator).suppressed
    _cases(org, worker, 1, days=[40])
    assert services.indicator_recompute(indicator=indicator).value == Decimal("5.00")


def test_services_without_cooperation_share_hides_small_groups(org, make_user):
    worker = make_user(org, "caseworker")
    policy = factories.policy(org, worker)
    indicator = services.indicator_create(policy=policy, user=worker, name="No strings", source="without_cooperation")
    _cases(org, worker, 30, days=[3], cooperating=5)
    assert services.indicator_recompute(indicator=indicator).suppressed  # 5 cooperating: the complement is < 11
    _cases(org, worker, 10, days=[3], cooperating=10)
    value = services.indicator_recompute(indicator=indicator)
    assert value.value == Decimal("62.50")  # 25 of 40 not cooperating


def test_manual_values_and_reviews(org, make_user):
    data = make_user(org, "data_officer")
    indicator = services.indicator_create(
        policy=factories.policy(org, data), user=data, name="SDG 8.7.1 (survey)", review_every_months=3
    )
    services.indicator_value_add(indicator=indicator, user=data, period="2025", value=Decimal("4.2"))
    assert indicator.source == Indicator.Source.MANUAL and indicator.values.get().value == Decimal("4.20")
    reviewed = services.indicator_reviewed(indicator=indicator, user=data)
    assert reviewed.next_review_on > reviewed.last_reviewed_on


def _sessions(org, user, classes, plan=None):
    """Sessions logged through the prevention app: {class label: {sex: {age band: pupils}}}."""
    from tests.prevention import factories as prevention

    plan = plan or prevention.plan(org)  # a new school in a new district of 5,000 pupils
    for label, attendance in classes.items():
        prevention.services.session_log(
            user=user,
            plan=plan,
            module_session="respect_and_equality/boxes_we_are_put_in",
            delivered_on=date(2026, 2, 3),
            class_label=label,
            attendance=attendance,
        )
    return plan


@pytest.fixture
def reach(org, make_user):
    data = make_user(org, "data_officer")
    policy = factories.policy(org, data)
    indicator = services.indicator_create(policy=policy, user=data, name="Pupils reached", source="prevention_reach")
    return indicator, make_user(org, "prevention_coordinator")


def test_prevention_reach_matches_hand_counted_pupils(org, reach):
    indicator, coordinator = reach
    plan = _sessions(
        org,
        coordinator,
        {
            "8A": {"female": {"12-15": 14}, "male": {"12-15": 12}},
            "8B": {"female": {"12-15": 13, "15-18": 6}, "male": {"12-15": 11, "15-18": 7}},
        },
    )
    value = services.indicator_recompute(indicator=indicator)
    assert value.computed and value.value == Decimal("63.00")  # 14 + 12 + 13 + 6 + 11 + 7
    assert value.breakdown["sex"]["female"]["value"] == 33.0  # 14 + 13 + 6
    assert value.breakdown["sex"]["male"]["value"] == 30.0  # 12 + 11 + 7
    assert value.breakdown["age_band"]["12-15"]["value"] == 50.0  # 14 + 12 + 13 + 11
    assert value.breakdown["age_band"]["15-18"]["value"] == 13.0  # 6 + 7
    assert value.breakdown["coverage"]["share_of_district_pupils"]["value"] == 1.3  # 63 of 5,000
    # A second session of the same class with fewer pupils reaches no one new; one with more raises the class.
    _sessions(org, coordinator, {"8A": {"female": {"12-15": 10}, "male": {"12-15": 10}}}, plan)
    assert services.indicator_recompute(indicator=indicator).value == Decimal("63.00")
    _sessions(org, coordinator, {"8A": {"female": {"12-15": 16}, "male": {"12-15": 12}}}, plan)
    assert services.indicator_recompute(indicator=indicator).value == Decimal("65.00")  # 2 more girls in 8A
    # Another school in another district: 20 more pupils, of 10,000 in the two districts.
    _sessions(org, coordinator, {"7C": {"female": {"12-15": 10}, "male": {"12-15": 10}}})
    value = services.indicator_recompute(indicator=indicator)
    assert value.value == Decimal("85.00")
    assert value.breakdown["coverage"]["share_of_district_pupils"]["value"] == 0.8  # 85 / 10,000 = 0.85 -> 0.8


def test_prevention_reach_never_publishes_a_figure_under_11(org, reach):
    indicator, coordinator = reach
    _sessions(org, coordinator, {"8A": {"female": {"12-15": 4}, "male": {"12-15": 5}}})
    value = services.indicator_recompute(indicator=indicator)
    assert value.suppressed and value.value is None  # 9 pupils in all
    assert all(cell["suppressed"] for group in value.breakdown.values() for cell in group.values())
    _sessions(org, coordinator, {"9A": {"female": {"12-15": 20, "9-12": 3}, "male": {"12-15": 18}}})
    value = services.indicator_recompute(indicator=indicator)
    assert value.value == Decimal("50.00")
    assert value.breakdown["age_band"]["9-12"]["suppressed"]  # 3 pupils
    assert value.breakdown["age_band"]["12-15"]["suppressed"]  # else 50 - 47 would give the 3 away
    for group in ("sex", "age_band"):
        for cell in value.breakdown[group].values():
            assert cell["suppressed"] or (cell["value"] >= 11 and cell["n"] >= 11)
    assert value.breakdown["coverage"]["share_of_district_pupils"]["n"] == 10_000  # a share: 50 of two districts
    from threadline.policy.selectors import breakdown_rows

    shown = {group: dict(cells) for group, cells in breakdown_rows(value)}
    assert shown["By age band"]["9-12"] is None and shown["By sex"]["Female"] == 27.0  # 4 + 20 + 3


def _tally(org, scale, phase, scores):
    """Outcome sums as the prevention app keeps them, from each pupil's score written out by hand."""
    from threadline.prevention.models import OutcomeTally

    OutcomeTally.objects.create(
        organisation=org,
        questionnaire_id="pupil-prepost-starter",
        period="2026-02",
        phase=phase,
        sex="female",
        age_band="12-15",
        outcome=scale,
        n=len(scores),
        total=sum(scores),
        total_sq=sum(s * s for s in scores),
    )


def test_prevention_outcomes_match_hand_computed_changes(org, make_user):
    data = make_user(org, "data_officer")
    indicator = services.indicator_create(
        policy=factories.policy(org, data), user=data, name="Outcomes improved", source="prevention_outcomes"
    )
    # Knowledge: 20 pupils before (mean 0.5) and 20 after (mean 0.8): a clear rise.
    _tally(org, "knowledge", "pre", [0.4] * 10 + [0.6] * 10)
    _tally(org, "knowledge", "post", [0.7] * 10 + [0.9] * 10)
    # Attitudes: 16 and 16 pupils, mean 3.0 -> 3.1 with a wide spread: the interval includes zero.
    _tally(org, "equitable_attitudes", "pre", [1.0] * 8 + [5.0] * 8)
    _tally(org, "equitable_attitudes", "post", [1.0] * 8 + [5.2] * 8)
    # Help-seeking: 5 pupils before, under 11: never shown, and not counted in the headline.
    _tally(org, "help_seeking", "pre", [2.0] * 5)
    _tally(org, "help_seeking", "post", [3.0] * 12)
    value = services.indicator_recompute(indicator=indicator)
    assert value.computed and value.value == Decimal("50.00")  # 1 of the 2 outcomes shown improved
    cells = value.breakdown["outcome"]
    assert cells["Knowledge (share correct)"]["value"] == pytest.approx(0.3)
    assert cells["Knowledge (share correct)"]["n"] == 20
    assert cells["Gender-equitable attitudes"]["value"] == pytest.approx(0.1)
    assert cells["Confidence to seek or give help"]["suppressed"]
    for cell in cells.values():
        assert cell["suppressed"] or cell["n"] >= 11


def test_prevention_outcomes_publish_nothing_under_11(org, make_user):
    data = make_user(org, "data_officer")
    indicator = services.indicator_create(
        policy=factories.policy(org, data), user=data, name="Outcomes improved", source="prevention_outcomes"
    )
    _tally(org, "knowledge", "pre", [0.4] * 10)
    _tally(org, "knowledge", "post", [0.9] * 30)
    value = services.indicator_recompute(indicator=indicator)
    assert value.suppressed and value.value is None
    assert all(cell["suppressed"] for cell in value.breakdown["outcome"].values())
