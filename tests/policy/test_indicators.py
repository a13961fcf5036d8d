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
