"""Issue #19 item 5: every list and detail page fits a 360 px phone screen (no sideways scrolling; wide
tables scroll inside their own box)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    if (el.closest('.table-wrap, .visually-hidden, .skip-link')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1;
  });
  return {scroll: document.documentElement.scrollWidth, width,
          wide: wide.slice(0, 6).map(el => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`)};
}"""


def _fits(cp, paths):
    problems = {}
    for path in paths:
        response = cp.goto(path)
        assert response.status == 200, path
        result = cp.page.evaluate(OVERFLOW)
        if result["scroll"] > result["width"] or result["wide"]:
            problems[path] = result
    assert not problems, f"pages wider than {WIDTH} px: {problems}"


def _narrow_sign_in(cp, user):
    sign_in(cp, user.email, PASSWORD)
    enrol_and_verify(cp)
    cp.page.set_viewport_size({"width": WIDTH, "height": 740})


def test_casework_and_screening_pages_fit_a_phone(checked_page, org, make_user):
    from tests.cases.factories import incoming_referral, new_case
    from tests.screening import factories
    from threadline.cases.services import plan_task_add

    supervisor = make_user(org, "supervisor", email="narrow-sup@harbour.example")
    case = new_case(org, supervisor, citizenship="NG", transit_countries="NE,LY,IT")
    plan_task_add(case=case, user=supervisor, goal="Safe accommodation for the coming weeks",
                  task="Find a place in the regional shelter network", due_on=case.opened_on)  # fmt: skip
    factories.contact(org, supervisor)
    screening = factories.completed(org, supervisor)
    incoming = incoming_referral(org)
    cp = checked_page
    _narrow_sign_in(cp, supervisor)
    _fits(cp, [
        "/", "/cases/", "/cases/?status=active", f"/cases/{case.pk}/", "/cases/due/", "/cases/incoming/",
        f"/cases/incoming/{incoming.pk}/", "/screening/", f"/screening/{screening.pk}/", "/screening/start/",
        "/screening/contacts/", "/screening/instruments/", "/screening/statistics/", "/accounts/profile/",
    ])  # fmt: skip


def test_online_insights_and_audit_pages_fit_a_phone(checked_page, org, make_user, settings, tmp_path):
    from tests.insights.conftest import csv_upload, plan_rows
    from tests.online import helpers
    from threadline.insights import services

    settings.ONLINE_DATA_DIR = str(tmp_path / "online")
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")
    analyst = make_user(org, "online_analyst", email="narrow-analyst@harbour.example")
    officer = make_user(org, "data_officer", email="narrow-officer@harbour.example")
    admin = make_user(org, "administrator", email="narrow-admin@harbour.example")
    investigation = helpers.make_investigation(org, analyst)
    top = helpers.top_network()
    job = services.import_upload(organisation=org, user=officer, uploaded_file=csv_upload(plan_rows()),
                                 fmt="htcds", source="partner-a")  # fmt: skip
    job = services.import_set_mapping(job=job, mapping=job.mapping)
    services.import_start(job=job, user=officer)
    release = services.release_create(organisation=org, user=officer, title="Victims by gender and age group",
                                      fields=["gender", "majorityStatus"], method="suppression", k=11)  # fmt: skip
    cp = checked_page
    _narrow_sign_in(cp, analyst)
    _fits(cp, [
        "/online/", f"/online/{investigation.pk}/", f"/online/{investigation.pk}/networks/",
        f"/online/{investigation.pk}/networks/{top['network_id']}/", "/online/platforms/",
    ])  # fmt: skip
    cp.page.click("button:has-text('Sign out')")
    cp.page.set_viewport_size({"width": 1100, "height": 800})
    _narrow_sign_in(cp, officer)
    _fits(cp, [
        "/insights/", "/insights/imports/", f"/insights/imports/{job.pk}/", "/insights/linkage/",
        "/insights/dashboards/scale/", "/insights/dashboards/trends/", "/insights/releases/",
        f"/insights/releases/{release.pk}/", "/insights/public/",
    ])  # fmt: skip
    cp.page.click("button:has-text('Sign out')")
    cp.page.set_viewport_size({"width": 1100, "height": 800})
    _narrow_sign_in(cp, admin)
    _fits(cp, ["/audit/", "/accounts/members/", "/tasks/"])


def _arabic(cp):
    with cp.page.expect_navigation():
        cp.page.select_option("#language", "ar")
    assert cp.page.locator("html").get_attribute("dir") == "rtl"


def test_prevention_and_policy_pages_fit_a_phone_in_english_and_arabic(checked_page, org, make_user):
    from tests.policy import factories as pf
    from tests.prevention import factories as pv

    coordinator = make_user(org, "prevention_coordinator", email="narrow-coord@harbour.example")
    officer = make_user(org, "policy_officer", email="narrow-policy@harbour.example")
    reviewer = make_user(org, "policy_reviewer", email="narrow-review@harbour.example")
    approver = make_user(org, "policy_approver", email="narrow-approve@harbour.example")
    pv.protocol(org, coordinator)
    session = pv.session(org, coordinator)
    survey_round = pv.survey_round(org, coordinator, session.plan)
    concern = pv.concern(org, coordinator, session)
    published = pf.published(org, officer, reviewer, approver)
    draft = pf.started(org, officer)
    prevention_pages = [
        "/prevention/", "/prevention/schools/", "/prevention/plans/", f"/prevention/plans/{session.plan.pk}/",
        f"/prevention/sessions/{session.pk}/", f"/prevention/surveys/{survey_round.pk}/", "/prevention/concerns/",
        f"/prevention/concerns/{concern.pk}/", "/prevention/dashboard/", "/prevention/protocol/",
        "/prevention/sessions/new/", f"/survey/{survey_round.code}/",
    ]  # fmt: skip
    policy_pages = [
        "/policy/", f"/policy/{draft.policy.pk}/", f"/policy/assessments/{draft.pk}/",
        f"/policy/assessments/{draft.pk}/stage/screening/", "/policy/monitoring/", "/rights/",
        f"/rights/{published.pk}/",
    ]  # fmt: skip
    cp = checked_page
    _narrow_sign_in(cp, coordinator)
    _fits(cp, prevention_pages)
    _arabic(cp)
    _fits(cp, prevention_pages)
    cp.page.context.clear_cookies()
    _narrow_sign_in(cp, officer)
    _fits(cp, policy_pages)
    _arabic(cp)
    _fits(cp, policy_pages)
