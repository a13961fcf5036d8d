"""Services: starting, answering step by step, resuming, completing, reproducing, next steps."""

from __future__ import annotations

import pytest

from tests.screening import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(org, make_user):
    return make_user(org, "caseworker")


def test_start_keeps_instrument_version_digest_and_a_pseudonymous_reference(org, worker):
    from threadline.engines.screening import get_instrument
    from threadline.screening.selectors import instrument_digest

    screening = factories.start(org, worker)
    instrument = get_instrument(factories.CHILD_SEXUAL)
    assert screening.instrument_id == instrument.id
    assert screening.instrument_version == instrument.version
    assert screening.instrument_digest == instrument_digest(instrument)
    assert screening.reference.startswith("S-") and len(screening.reference) == 8
    assert screening.is_child and screening.status == "in_progress"


@pytest.mark.parametrize("reference", ["Jane Doe", "a" * 41, "<b>", "x y"])
def test_references_that_could_be_names_are_refused(org, worker, reference):
    from threadline.screening import services

    with pytest.raises(services.ScreeningError):
        services.screening_start(
            organisation=org,
            user=worker,
            instrument_key=factories.CHILD_SEXUAL,
            reference=reference,
            age_group="child",
            language="en",
        )


@pytest.mark.parametrize(("age_group", "is_child"), [("child", True), ("adult", False), ("unknown", True)])
def test_age_group_sets_the_under_18_rules(org, worker, age_group, is_child):
    assert factories.start(org, worker, age_group=age_group).is_child is is_child


def test_unknown_instrument_is_refused(org, worker):
    from threadline.screening import services

    with pytest.raises(services.ScreeningError):
        factories.start(org, worker, instrument="no-such-instrument")


def test_save_step_then_resume_where_the_worker_left_off(org, worker):
    from threadline.screening import services
    from threadline.screening.models import Screening

    screening = factories.start(org, worker)
    services.screening_save_step(
        screening=screening,
        user=worker,
        step=0,
        answers={"deceived_job_location_employer": "yes", "deceived_wages": "declined", "deceived_housing": ""},
        note="Said at the second meeting",
        next_step=1,
    )
    resumed = Screening.objects.get(pk=screening.pk)
    assert resumed.step == 1
    assert resumed.answers == {"deceived_job_location_employer": "yes", "deceived_wages": "declined"}
    assert resumed.notes_by_dimension() == {"deceptive_recruitment": "Said at the second meeting"}

    # Answering the same step again replaces that step's answers only.
    services.screening_save_step(
        screening=resumed, user=worker, step=3, answers={"excessive_hours": "yes"}, next_step=4
    )
    services.screening_save_step(screening=resumed, user=worker, step=0, answers={"deceived_wages": "no"}, next_step=1)
    again = Screening.objects.get(pk=screening.pk)
    assert again.answers == {"deceived_wages": "no", "excessive_hours": "yes"}
    assert again.notes_by_dimension() == {}


def test_notes_are_encrypted_at_rest(org, worker):
    from django.db import connection

    from threadline.screening import services

    screening = factories.start(org, worker)
    services.screening_save_step(screening=screening, user=worker, step=0, answers={}, note="met near the station")
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM screening_screening WHERE id = %s", [screening.pk])
        raw = cursor.fetchone()[0]
    assert "station" not in raw


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"excessive_hours": "yes"}, "not in this part"), ({"deceived_wages": "maybe"}, "Answers are")],
)
def test_step_answers_are_checked(org, worker, answers, message):
    from threadline.screening import services

    screening = factories.start(org, worker)
    with pytest.raises(services.ScreeningError, match=message):
        services.screening_save_step(screening=screening, user=worker, step=0, answers=answers)
    with pytest.raises(services.ScreeningError):
        services.screening_save_step(screening=screening, user=worker, step=99, answers={})


def test_complete_stores_the_explained_result_and_freezes_the_answers(org, worker):
    from threadline.screening import services

    screening = factories.start(org, worker)
    services.screening_save_step(
        screening=screening,
        user=worker,
        step=0,
        answers={"deceived_job_location_employer": "yes", "deceived_education_access": "yes"},
    )
    services.screening_save_step(
        screening=screening, user=worker, step=3, answers={"excessive_hours": "yes", "hazardous_work": "yes"}
    )
    done = services.screening_complete(screening=screening, user=worker)
    assert done.outcome == "presumed_victim"
    assert done.result["outcome_label"] == "presumed victim — reasonable grounds"
    assert done.positive_dimensions == ["deceptive_recruitment", "exploitation"]
    assert done.result["instrument"] == {
        "id": done.instrument_id,
        "version": done.instrument_version,
        "status": "published",
    }
    assert done.completed_at is not None
    with pytest.raises(services.ScreeningError):
        services.screening_save_step(screening=done, user=worker, step=0, answers={})
    with pytest.raises(services.ScreeningError):
        services.screening_complete(screening=done, user=worker)


def test_results_are_reproducible_from_what_is_stored(org, worker):
    from threadline.engines.screening import evaluate
    from threadline.screening.selectors import instrument_for_screening

    for answers in ({}, {"deceived_wages": "yes"}, factories.PRESUMED_CHILD_ANSWERS):
        screening = factories.completed(org, worker, answers=answers)
        again = evaluate(instrument_for_screening(screening), screening.answers, is_child=screening.is_child)
        assert again.to_dict("en") == screening.result


def test_adult_and_child_rules_differ(org, worker):
    # Recruitment and exploitation without coercion at destination: enough for a child, not for an adult.
    answers = {
        "deceived_job_location_employer": "yes",
        "deceived_wages": "yes",
        "excessive_hours": "yes",
        "low_or_no_pay": "yes",
    }
    child = factories.completed(org, worker, answers=answers, instrument="ilo-2009-adult-labour", age_group="child")
    adult = factories.completed(org, worker, answers=answers, instrument="ilo-2009-adult-labour", age_group="adult")
    assert child.outcome == "presumed_victim"
    assert adult.outcome == "further_assessment"


def test_no_indicators_wording_never_says_not_a_victim(org, worker):
    screening = factories.completed(org, worker, answers={})
    assert screening.outcome == "no_indicators"
    assert screening.result["outcome_label"] == "no indicators identified at this time"
    assert "not a victim" not in str(screening.result).lower()


def test_safety_answers_are_checked_and_flag_what_needs_action(org, worker):
    from threadline.screening import selectors, services

    screening = factories.completed(org, worker)
    services.screening_record_safety(
        screening=screening,
        user=worker,
        answers={"danger_now": "yes", "safe_place_tonight": "yes", "urgent_medical_care": ""},
    )
    assert screening.safety == {"danger_now": "yes", "safe_place_tonight": "yes"}
    assert selectors.safety_alarms(screening) == ["danger_now"]
    with pytest.raises(services.ScreeningError):
        services.screening_record_safety(screening=screening, user=worker, answers={"name": "x"})


def test_open_case_needs_a_completed_screening_with_indicators(org, worker):
    from threadline.screening import services

    with pytest.raises(services.ScreeningError):
        services.screening_open_case(screening=factories.start(org, worker), user=worker)
    with pytest.raises(services.ScreeningError):
        services.screening_open_case(screening=factories.completed(org, worker, answers={}), user=worker)


def test_open_case_hands_the_screening_to_the_cases_area(org, worker, monkeypatch):
    from threadline.screening import handoff, services

    calls = []
    fake = handoff.CaseHandoff(
        open=lambda *, screening, user, safety_concerns: calls.append((screening, user, safety_concerns)) or "case",
        opened=lambda *, screening, user: [],
        flag_safety=lambda *, screening, user, concerns: None,
    )
    monkeypatch.setattr(handoff, "_registered", [fake])
    screening = factories.completed(org, worker)
    assert services.cases_available()
    assert services.screening_open_case(screening=screening, user=worker) == "case"
    assert calls == [(screening, worker, [])]
    for name in ("organisation", "is_child", "instrument_id", "outcome", "pk"):
        assert hasattr(screening, name)


def test_without_case_management_a_screening_opens_no_case(org, worker, monkeypatch):
    from threadline.screening import handoff, selectors, services

    monkeypatch.setattr(handoff, "_registered", [])
    screening = factories.completed(org, worker)
    assert not services.cases_available()
    assert selectors.screening_cases(screening=screening, user=worker) == []
    with pytest.raises(services.ScreeningError, match="not installed"):
        services.screening_open_case(screening=screening, user=worker)


def test_api_style_create_validates_answers(org, worker):
    from threadline.engines.screening import AnswerError
    from threadline.screening import services

    with pytest.raises((services.ScreeningError, AnswerError)):
        factories.completed(org, worker, answers={"no_such_indicator": "yes"})


def test_referral_contacts_are_saved_per_organisation(org, other_org, make_user):
    from threadline.screening import services

    admin = make_user(org, "administrator")
    contact = factories.contact(org, admin)
    services.referral_contact_save(organisation=org, user=admin, contact=contact, phone="020 7946 0099")
    contact.refresh_from_db()
    assert contact.phone == "020 7946 0099"
    with pytest.raises(services.ScreeningError):
        services.referral_contact_save(organisation=other_org, user=admin, contact=contact, name="x")
    services.referral_contact_delete(contact=contact, user=admin)
    assert not type(contact).objects.filter(pk=contact.pk).exists()


def test_open_case_creates_one_linked_case(org, worker, make_user):
    from threadline.cases.models import Case
    from threadline.screening import selectors, services

    screening = factories.completed(org, worker)
    case = services.screening_open_case(screening=screening, user=worker)
    assert case.screening == screening and case.organisation == org
    assert selectors.screening_cases(screening=screening, user=worker) == [case]
    with pytest.raises(services.ScreeningError, match="already"):
        services.screening_open_case(screening=screening, user=worker)
    with pytest.raises(services.ScreeningError, match="role"):
        services.screening_open_case(screening=factories.completed(org, worker), user=make_user(org, "administrator"))
    assert Case.objects.filter(screening=screening).count() == 1


def test_a_changed_shipped_instrument_refuses_to_complete_an_older_screening(org, worker):
    from threadline.screening import selectors, services

    screening = factories.start(org, worker)
    screening.instrument_version = "2000.0-older"
    screening.save()
    with pytest.raises(selectors.InstrumentUnavailable):
        services.screening_complete(screening=screening, user=worker)

    other = factories.start(org, worker)
    other.instrument_digest = "0" * 64
    other.save()
    with pytest.raises(services.ScreeningError, match="changed"):
        services.screening_complete(screening=other, user=worker)


def test_demo_loader_adds_contacts_and_screenings(make_org, make_user):
    from threadline.screening.demo import SCREENINGS_PER_ORG, load_screening_demo
    from threadline.screening.models import ReferralContact, Screening
    from threadline.synth.demo import DemoContext

    org = make_org("Demo Harbour")
    ctx = DemoContext(
        organisations={"harbour": org},
        users={"harbour:administrator": make_user(org, "administrator"), "harbour:caseworker": make_user(org)},
    )
    load_screening_demo(ctx)
    assert Screening.objects.filter(organisation=org, status="completed").count() == SCREENINGS_PER_ORG
    assert ReferralContact.objects.filter(organisation=org).count() == 3
    load_screening_demo(ctx)  # a second run adds nothing
    assert Screening.objects.filter(organisation=org).count() == SCREENINGS_PER_ORG
