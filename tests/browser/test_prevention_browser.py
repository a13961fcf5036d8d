"""Prevention in schools, in a real browser: a facilitator logs a session and opens a survey on a phone; pupils
answer without an account (also in French and Arabic); a disclosure reaches the designated lead, who opens a
screening; the coordinator sees the outcomes and downloads the HTYPE sheet."""

from __future__ import annotations

import io

import pytest

from tests.browser.conftest import CheckedPage
from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD
from tests.prevention import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _pupil_page(browser, live_server, locale="en-GB"):
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, CheckedPage(page, live_server.url)


def _answer_survey(cp, code: str, language: str, *, pair_code: str = "") -> None:
    cp.goto(f"/survey/?lang={language}")
    cp.page.fill("#id_code", code)
    with cp.page.expect_navigation():
        cp.page.keyboard.press("Enter")
    cp.check()
    first = cp.page.locator("fieldset legend").first
    assert first.is_visible(), cp.page.url + cp.page.inner_text("main")
    radios = cp.page.locator("fieldset[id^=q-]")
    for i in range(radios.count()):
        # keyboard only: focus the first option of each question and choose it with the space bar
        radios.nth(i).locator("input[type=radio]").first.focus()
        cp.page.keyboard.press("Space")
    cp.page.select_option("#sex", "female")
    cp.page.select_option("#age_band", "12-15")
    if pair_code:
        cp.page.fill("#pair_code", pair_code)
    cp.page.click("main form button[type=submit]")
    cp.check()


def test_facilitator_logs_a_session_and_pupils_answer(checked_page, browser, live_server, org, make_user):
    from threadline.audit.models import AuditEntry
    from threadline.prevention.models import SessionDelivery, SurveyResponse

    facilitator = make_user(org, "facilitator", email="facilitator@harbour.example")
    school = f.school(org, name="Riverside Academy")
    f.facilitator_for(org, facilitator, [school])
    plan = f.plan(org, school)
    f.plan(org)  # another school's plan: not offered to this facilitator
    cp = checked_page
    cp.page.set_viewport_size(PHONE)
    sign_in(cp, facilitator.email, PASSWORD)
    enrol_and_verify(cp)

    cp.goto("/prevention/")
    cp.page.click("a:has-text('Log a session')")
    cp.check()
    assert cp.page.locator("#id_plan option").count() == 1
    cp.page.select_option("#id_module_session", "consent_and_boundaries/asking_and_listening")
    assert cp.page.input_value("#id_delivered_on")  # today by default
    cp.page.fill("#id_class_label", "9C")
    cp.page.fill("#id_n_female_12-15", "12")
    cp.page.fill("#id_n_male_12-15", "11")
    cp.page.click("button:has-text('Log the session')")
    cp.check()
    assert "23 pupils" in cp.page.inner_text(".messages")
    delivery = SessionDelivery.objects.get(plan=plan)
    assert delivery.attendance == {"female": {"12-15": 12}, "male": {"12-15": 11}}
    assert cp.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    cp.page.click('a:has-text("Open a pupils\' survey")')
    cp.check()
    cp.page.click("button:has-text('Open the survey')")
    cp.check()
    code = cp.page.inner_text("#session-code").strip()
    assert len(code) == 6 and code in cp.page.inner_text("#short-url")

    for language, locale in (("en", "en-GB"), ("fr", "fr-FR"), ("ar", "ar")):
        context, pupil = _pupil_page(browser, live_server, locale)
        try:
            _answer_survey(pupil, code.lower() if language == "fr" else code, language, pair_code="RV-0312")
            assert pupil.page.url.endswith("/survey/thanks/")
            assert pupil.page.locator("html").get_attribute("lang") == language
            assert pupil.page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            cookies = {c["name"] for c in context.cookies()}
            assert cookies <= {"sessionid", "csrftoken"}, cookies
        finally:
            context.close()
    responses = SurveyResponse.objects.filter(plan=plan)
    assert responses.count() == 3 and all(r.pair_key for r in responses)
    entries = AuditEntry.objects.filter(object_type="prevention.surveyround", note="response recorded")
    assert entries.count() == 3 and not any(entries.values_list("ip_address", flat=True))
    cp.page.reload()
    assert "3 responses" in cp.page.inner_text("#round-count")


def test_disclosure_reaches_the_lead_who_opens_a_screening(checked_page, org, make_user):
    from django.core import mail

    from threadline.prevention.models import Concern

    lead = make_user(org, "supervisor", email="lead@harbour.example")
    facilitator = make_user(org, "facilitator", email="fac2@harbour.example")
    f.protocol(org, lead)
    school = f.school(org)
    f.facilitator_for(org, facilitator, [school])
    delivery = f.session(org, facilitator, f.plan(org, school))
    cp = checked_page
    cp.page.set_viewport_size(PHONE)
    sign_in(cp, facilitator.email, PASSWORD)
    enrol_and_verify(cp)
    cp.goto(f"/prevention/sessions/{delivery.pk}/")
    cp.page.select_option("#id_category", "disclosure_exploitation")
    cp.page.select_option("#id_urgency", "immediate")
    cp.page.fill("#id_note", "Mentioned an online offer of modelling work far away.")
    cp.page.click("button:has-text('Send to the designated lead')")
    cp.check()
    assert "designated lead" in cp.page.inner_text(".messages")
    assert [m.to for m in mail.outbox] == [[lead.email]]
    cp.page.click("button:has-text('Sign out')")

    sign_in(cp, lead.email, PASSWORD)
    enrol_and_verify(cp)
    cp.goto("/prevention/concerns/")
    cp.page.locator("main table a").first.click()
    cp.check()
    assert "online offer of modelling work" in cp.page.inner_text("#concern-note")
    cp.page.click("button:has-text('Acknowledge')")
    cp.check()
    cp.page.click("button:has-text('Open a screening')")
    cp.check()
    assert cp.page.url.split("?")[0].endswith("/screening/start/")
    cp.page.click("button:has-text('Begin')")
    cp.check()
    assert "/screening/" in cp.page.url and "/step/0/" in cp.page.url
    concern = Concern.objects.get()
    assert concern.status == "acknowledged" and concern.screening_opened_at is not None


def test_coordinator_sees_outcomes_and_exports_the_htype_sheet(checked_page, org, make_user):
    from openpyxl import load_workbook

    from threadline.prevention import services

    coordinator = make_user(org, "prevention_coordinator", email="coord@harbour.example")
    plan = f.plan(org)
    f.session(org, coordinator, plan, pupils=26)
    items = list(f.answers())
    lines = ["phase,code,sex,age_band," + ",".join(items)]
    for i in range(24):
        for phase, shift in (("pre", 0), ("post", 1)):
            sex = "female" if i % 2 else "male"
            lines.append(f"{phase},C{i:02d},{sex},12-15," + ",".join(f.answers(shift + (i % 3) - 1).values()))
    services.responses_upload(user=coordinator, plan=plan, data="\n".join(lines).encode(), source="paper.csv")
    cp = checked_page
    sign_in(cp, coordinator.email, PASSWORD)
    enrol_and_verify(cp)
    cp.goto(f"/prevention/plans/{plan.pk}/analysis/")
    assert cp.page.locator("svg.chart").count() == 1
    assert "paired" in cp.page.inner_text("#scales")
    cp.goto("/prevention/dashboard/")
    assert "26" in cp.page.inner_text("#coverage")
    with cp.page.expect_download() as info:
        cp.page.click("#export-xlsx")
    with open(info.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    header = [c.value for c in book.active[1]]
    assert header[:3] == ["reporting_period", "htype_indicator", "measure"]
    indicators = {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert {"pupils_reached", "pupil_knowledge_change", "pupil_attitude_change"} <= indicators
