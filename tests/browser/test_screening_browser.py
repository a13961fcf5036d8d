"""A caseworker screens a child on a phone-sized screen, gets an explained result and moves on to protection."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD
from tests.screening import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _answer(cp, indicator_id: str, value: str = "yes") -> None:
    cp.page.check(f"input[name='answer-{indicator_id}'][value='{value}']")


def _next(cp) -> None:
    cp.page.click("button[name=move][value=next]")
    cp.check()


def test_caseworker_screens_a_child_and_moves_on_to_protection(checked_page, org, make_user):
    from threadline.audit.models import AuditEntry
    from threadline.screening import services
    from threadline.screening.models import Screening

    admin = make_user(org, "administrator")
    factories.contact(org, admin, name="Children's services duty line")
    worker = make_user(org, "caseworker", email="worker@harbour.example")
    cp = checked_page
    cp.page.set_viewport_size(PHONE)
    sign_in(cp, worker.email, PASSWORD)
    enrol_and_verify(cp)

    cp.goto("/screening/")
    cp.page.click("a:has-text('Start a screening')")
    cp.check()
    assert cp.page.input_value("#id_instrument") == factories.CHILD_SEXUAL
    reference = cp.page.input_value("#id_reference")
    assert reference.startswith("S-")
    cp.page.click("button:has-text('Begin')")
    cp.check()

    # Step 1, deceptive recruitment: one answer with the mouse, one with the keyboard only.
    assert "Step 1 of 7" in cp.page.inner_text(".step-count")
    _answer(cp, "deceived_job_location_employer")
    cp.page.focus("input[name='answer-deceived_education_access'][value='yes']")
    cp.page.keyboard.press("Space")
    assert cp.page.is_checked("input[name='answer-deceived_education_access'][value='yes']")
    cp.page.fill("#id_note", "Disclosed during the second conversation.")
    _next(cp)
    _next(cp)  # coercive recruitment: nothing asked
    _next(cp)  # recruitment by abuse of vulnerability
    _answer(cp, "excessive_hours")
    _answer(cp, "hazardous_work")
    _answer(cp, "low_or_no_pay", "declined")

    # Save and resume later: the answers are kept.
    cp.page.click("button[name=move][value=save]")
    cp.check()
    assert "resume" in cp.page.inner_text(".messages")
    cp.page.click(f"a:has-text('Resume {reference}')")
    cp.check()
    assert "Step 4 of 7" in cp.page.inner_text(".step-count")
    assert cp.page.is_checked("input[name='answer-hazardous_work'][value='yes']")
    assert cp.page.is_checked("input[name='answer-low_or_no_pay'][value='declined']")
    for _step in range(4):
        _next(cp)
    assert cp.page.locator("h1").inner_text() == "Review the answers"
    cp.page.click("button:has-text('See the result')")
    cp.check()

    # The result with its explanation, in the engine's exact wording.
    assert cp.page.inner_text("#outcome") == "presumed victim — reasonable grounds"
    why = cp.page.inner_text("#dim-deceptive_recruitment")
    assert "positive" in why and "Deceived about the nature of the job, location or employer" in why
    assert "positive" in cp.page.inner_text("#dim-exploitation")
    assert "not a victim" not in cp.page.inner_text("main").lower()
    assert factories.CHILD_SEXUAL in cp.page.inner_text("main")

    # Next steps: safety questions and the organisation's referral contacts.
    cp.page.check("input[name=danger_now][value=no]")
    cp.page.check("input[name=safe_place_tonight][value=no]")
    cp.page.click("button:has-text('Record the safety answers')")
    cp.check()
    assert "emergency procedure" in cp.page.inner_text("#next-steps")
    assert "Children's services duty line" in cp.page.inner_text("#next-steps")

    screening = Screening.objects.get(reference=reference)
    assert screening.is_child and screening.outcome == "presumed_victim"
    assert screening.instrument_version and len(screening.instrument_digest) == 64
    assert screening.notes_by_dimension() == {"deceptive_recruitment": "Disclosed during the second conversation."}
    assert screening.safety == {"danger_now": "no", "safe_place_tonight": "no"}

    if services.cases_available():
        cp.page.click("button:has-text('Open a protection case')")
        cp.check()
        assert "protection case was opened" in cp.page.inner_text(".messages")
        from threadline.cases.models import Case

        case = Case.objects.get(organisation=org)
        assert case.screening_instrument == factories.CHILD_SEXUAL
        assert case.screening_outcome == "presumed_victim"
        assert case.screening == screening  # how the person was screened stays with the case

    # Every step left a trace: created, updated step by step, read, completed.
    entries = AuditEntry.objects.filter(object_type="screening.screening", object_id=str(screening.pk))
    actions = set(entries.values_list("action", flat=True))
    assert {"create", "update", "view"} <= actions
    assert any("outcome" in fields for fields in entries.filter(action="update").values_list("fields", flat=True))


def test_screening_in_french(checked_page, org, make_user):
    worker = make_user(org, "caseworker", email="travail@harbour.example")
    cp = checked_page
    sign_in(cp, worker.email, PASSWORD)
    enrol_and_verify(cp)
    cp.goto("/screening/start/")
    with cp.page.expect_navigation():
        cp.page.select_option("#language", "fr")
    cp.check()
    assert cp.page.input_value("#id_language") == "fr"
    cp.page.click("main form button[type=submit]")
    cp.check()
    assert cp.page.locator("html").get_attribute("lang") == "fr"
    assert cp.page.locator("h1").inner_text() == "Recrutement trompeur (y compris le transfert et le transport)"
    assert cp.page.locator("h1").get_attribute("lang") == "fr"
    _answer(cp, "deceived_wages", "unknown")
    cp.page.click("button[name=move][value=next]")
    cp.check()
    assert cp.page.locator("h1").inner_text() == "Recrutement par la contrainte"
    screening_path = urlparse(cp.page.url).path.split("/step/")[0]
    cp.goto(screening_path + "/review/")  # straight to the review, skipping the other steps
    cp.page.click("form[action$='/complete/'] button")
    cp.check()
    assert cp.page.inner_text("#outcome") == "aucun indicateur identifié à ce stade"


def test_refusals_across_roles_and_organisations(checked_page, org, other_org, make_user):
    owner = make_user(org, "caseworker")
    mine = factories.completed(org, owner)
    stranger = make_user(other_org, "caseworker")
    foreign = factories.completed(other_org, stranger)

    auditor = make_user(org, "auditor", email="auditor@harbour.example")
    cp = checked_page
    sign_in(cp, auditor.email, PASSWORD)
    enrol_and_verify(cp)
    assert cp.goto(f"/screening/{mine.pk}/").status == 403  # auditors see no answers
    cp.page.click("button:has-text('Sign out')")

    officer = make_user(org, "data_officer", email="officer@harbour.example")
    sign_in(cp, officer.email, PASSWORD)
    enrol_and_verify(cp)
    assert cp.goto("/screening/").status == 403  # statistics only
    assert cp.goto("/screening/statistics/").status == 200
    assert cp.page.locator("svg.chart").count() == 2
    assert cp.page.inner_text("#stat-total") == "1"
    cp.page.click("button:has-text('Sign out')")

    worker = make_user(org, "caseworker", email="worker2@harbour.example")
    sign_in(cp, worker.email, PASSWORD)
    enrol_and_verify(cp)
    assert cp.goto(f"/screening/{foreign.pk}/").status == 404
    assert cp.goto(f"/screening/{foreign.pk}/step/0/").status == 404
    assert cp.goto(f"/screening/{mine.pk}/").status == 200
    assert cp.goto("/screening/instruments/upload/").status == 403


def test_supervisor_uploads_an_instrument_and_sees_clear_errors(checked_page, org, make_user, tmp_path):
    supervisor = make_user(org, "supervisor", email="supervisor@harbour.example")
    broken = tmp_path / "broken.yaml"
    broken.write_text(factories.VALID_INSTRUMENT_YAML.replace("found_at_least: 1", "found_at_least: many"))
    good = tmp_path / "first-contact.yaml"
    good.write_text(factories.VALID_INSTRUMENT_YAML)

    cp = checked_page
    sign_in(cp, supervisor.email, PASSWORD)
    enrol_and_verify(cp)
    cp.goto("/screening/instruments/upload/")
    cp.page.set_input_files("#id_file", str(broken))
    cp.page.click("button:has-text('Check and store')")
    cp.check()
    errors = cp.page.inner_text(".upload-errors")
    assert "broken.yaml" in errors and "rule.further_assessment" in errors

    cp.page.set_input_files("#id_file", str(good))
    cp.page.click("button:has-text('Check and store')")
    cp.check()
    assert "harbour-first-contact" in cp.page.inner_text("main")
    cp.page.click("a:has-text('Harbour first-contact screen')")
    cp.check()
    assert "Papers held by someone else" in cp.page.inner_text("main")
    cp.goto("/screening/start/")
    options = cp.page.locator("#id_instrument option").all_inner_texts()
    assert any("Harbour first-contact screen" in option for option in options)

    # Referral contacts shown after a screening are managed here too.
    cp.goto("/screening/contacts/")
    cp.page.click("a:has-text('Add a contact')")
    cp.check()
    cp.page.fill("#id_name", "Night shelter for young people")
    cp.page.fill("#id_phone", "020 7946 0033")
    cp.page.click("button:has-text('Save')")
    cp.check()
    assert "Night shelter for young people" in cp.page.inner_text("table")
