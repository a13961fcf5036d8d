"""Issue #16, done means: a policy officer screens a draft policy, scopes it, cites an insights release, records a
consultation with children, assesses impacts on articles 2, 3, 6, 12 and 34–36, gets it reviewed and approved,
publishes it with its child-friendly summary, and sees its monitoring indicator update after a new insights
import; a survivor gives feedback without an account and it appears only in aggregate."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import CheckedPage
from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD
from tests.insights.conftest import csv_upload, plan_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["case_id", "yearOfRegistration", "gender", "majorityStatus", "isSexualExploit", "isForcedLabour"]
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
ARTICLES = ("crc-2", "crc-3", "crc-6", "crc-12", "crc-34", "crc-35", "crc-36")


@pytest.fixture(autouse=True)
def _insights_root(settings, tmp_path):
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")


def _import(org, user, plan, name):
    from threadline.insights import services as insights

    job = insights.import_upload(
        organisation=org, user=user, uploaded_file=csv_upload(plan_rows(plan), HEADER, name), fmt="htcds", source=name
    )
    job = insights.import_set_mapping(job=job, mapping=job.mapping)
    insights.import_start(job=job, user=user)


def _session(browser, live_server, email) -> CheckedPage:
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    cp = CheckedPage(page, live_server.url)
    sign_in(cp, email, PASSWORD)
    enrol_and_verify(cp)
    return cp


def _answer(cp, answers: dict[str, str], *, complete: bool = True) -> None:
    for question, value in answers.items():
        if value in ("yes", "no"):
            cp.page.check(f"input[name='q-{question}'][value='{value}']")
        else:
            cp.page.fill(f"#q-{question}", value)
    cp.page.click("button[name=complete]" if complete else "button[name=save]")
    cp.check()


def test_policy_officer_takes_an_assessment_to_the_public_register_and_sees_monitoring(
    browser, live_server, org, make_user
):
    from threadline.insights import services as insights
    from threadline.policy import services
    from threadline.policy.models import Policy

    officer = make_user(org, "policy_officer", email="officer@policy.example")
    reviewer = make_user(org, "policy_reviewer", email="reviewer@policy.example")
    approver = make_user(org, "policy_approver", email="approver@policy.example")
    data = make_user(org, "data_officer", email="data@policy.example")
    worker = make_user(org, "caseworker", email="worker@policy.example")
    _import(org, data, PLAN_2023, "partner-2023.csv")
    release = insights.release_create(
        organisation=org, user=data, title="Victims by year", fields=["yearOfRegistration"], method="suppression", k=11
    )
    insights.release_publish(release=release, published=True)
    for year in (2023, 2024):
        services.population_save(
            organisation=org, user=data, year=year, age_group="total", sex="total", population=1_000_000
        )
    for _i in range(24):
        services.advisory_submit(organisation=org, about="service", area="shelter", answers={"felt_safe": "yes"})

    cp = _session(browser, live_server, officer.email)
    cp.goto("/policy/")
    cp.page.click("text=Add a policy or programme")
    cp.check()
    cp.page.fill("#id_title", "Safe journeys to school")
    cp.page.click("button:has-text('Save')")
    cp.check()
    cp.page.select_option("#template", "unicef-uk-cfc-cria")
    cp.page.click("button:has-text('Start an assessment')")
    cp.check()

    # Screening and scoping.
    _answer(cp, {"affects_children": "yes", "which_children": "Pupils aged 11 to 16."})
    assert "Scoping" in cp.page.locator("h1").inner_text()
    _answer(cp, {"aims": "Safer journeys.", "rights_engaged": "Articles 3, 19 and 34."})

    # Evidence: cite the protected insights release (its figure is frozen with its version).
    cp.page.select_option("#id_release", str(release.pk))
    cp.page.click("button:has-text('Cite this release')")
    cp.check()
    assert "insights-release-" in cp.page.content()
    _answer(cp, {"data_gaps": "Little on children out of school."})

    # Consultation with children: numbers by age band and sex only.
    cp.page.click("text=Record a consultation with children")
    cp.check()
    cp.page.select_option("#id_method", "workshop")
    cp.page.fill("#id_held_on", "2026-03-04")
    cp.page.fill("#id_p_13_15_girls", "7")
    cp.page.fill("#id_p_13_15_boys", "5")
    cp.page.fill("#id_what_they_said", "Stops are dark in winter.")
    cp.page.fill("#id_how_it_changed", "Lights at four stops.")
    cp.page.click("button:has-text('Save')")
    cp.check()
    assert "12 participants" in cp.page.content()
    _answer(cp, {"how_heard": "Workshops in two schools."})

    # Impact on the general principles and articles 34–36, shown first.
    assert "Impact" in cp.page.locator("h1").inner_text()
    cp.page.click("text=Assess the impact on each article")
    cp.check()
    first = cp.page.locator("details.article").first.get_attribute("id")
    assert first == "article-crc-2"
    for key in ARTICLES:
        box = cp.page.locator(f"#article-{key}")
        box.locator("select[name=rating]").select_option("positive")
        box.locator("textarea[name=reasoning]").fill("Safer journeys for every pupil.")
        box.locator("button:has-text('Save the rating')").click()
        cp.check()
    cp.page.click("text=Back to the stage")
    cp.check()
    _answer(cp, {"unequal_effects": "Children in care travel further."})
    _answer(cp, {"alternatives": "A later bus.", "mitigation": "Escorts."})
    cp.page.click("text=Record the decision")
    cp.check()
    cp.page.select_option("#id_outcome", "changed")
    cp.page.fill("#id_rationale", "Lights and an extra bus.")
    cp.page.click("button:has-text('Save')")
    cp.check()
    _answer(cp, {"best_interests_weight": "Children's safety first."})
    assert "Child rights impact assessment" in cp.page.locator("h1").inner_text()
    cp.page.click("text=Record the summary returned")
    cp.check()
    cp.page.fill("#id_feedback_summary", "You told us stops are dark. We are adding lights.")
    cp.page.click("button:has-text('Save')")
    cp.check()
    cp.page.click("button:has-text('Submit for review')")
    cp.check()
    assert cp.page.locator("#assessment-status").inner_text() == "With the reviewer"
    assessment_url = cp.page.url.replace(live_server.url, "")

    rv = _session(browser, live_server, reviewer.email)
    rv.goto(assessment_url)
    rv.page.click("button:has-text('Pass the review')")
    rv.check()
    assert rv.page.locator("#assessment-status").inner_text() == "Reviewed: awaiting approval"
    ap = _session(browser, live_server, approver.email)
    ap.goto(assessment_url)
    ap.page.click("button:has-text('Approve')")
    ap.check()
    assert ap.page.locator("#assessment-status").inner_text() == "Approved: ready to publish"

    cp.goto(assessment_url)
    cp.page.click("a:has-text('Publish')")
    cp.check()
    cp.page.fill("#id_summary", "Lights at four stops and an extra bus.")
    cp.page.fill("#id_child_friendly_summary", "You told us stops are dark. We are adding lights and a bus.")
    cp.page.click("button:has-text('Publish')")
    cp.check()
    assert cp.page.locator("#assessment-status").inner_text() == "Published"

    # The public register, searchable, with the child-friendly version and a PDF.
    anonymous = browser.new_context(locale="en-GB")
    public = CheckedPage(anonymous.new_page(), live_server.url)
    public.goto("/rights/?q=journeys")
    public.page.click("text=Safe journeys to school")
    public.check()
    assert "We are adding lights and a bus." in public.page.locator(".child-friendly").inner_text()
    pdf_href = public.page.locator("a:has-text('Download as PDF')").get_attribute("href")
    assert public.page.request.get(live_server.url + pdf_href).body().startswith(b"%PDF")

    # Monitoring: the indicator gets a new value when a new insights import lands.
    policy = Policy.objects.get(title="Safe journeys to school")
    indicator = services.indicator_create(policy=policy, user=data, name="SDG 16.2.2", source="sdg_16_2_2")
    cp.goto(f"/policy/indicators/{indicator.pk}/")
    assert "No values yet." in cp.page.content()
    _import(org, data, PLAN_2024, "partner-2024.csv")
    cp.goto(f"/policy/indicators/{indicator.pk}/")
    row = cp.page.locator("#indicator-values tbody tr").first.inner_text()
    assert row.startswith("2024") and "10.00" in row  # 100 victims per 1,000,000 -> 10 per 100,000

    # A survivor gives feedback without an account; a caseworker sees it only in aggregate.
    public.goto(f"/rights/advisory/{org.slug}/")
    public.page.check("input[name=felt_safe][value=yes]")
    public.page.select_option("#id_area", "shelter")
    public.page.fill("#id_comments", "The night staff were kind.")
    public.page.click("button:has-text('Send')")
    public.check()
    assert "Thank you" in public.page.locator("h1").inner_text()
    cw = _session(browser, live_server, worker.email)
    cw.goto("/policy/service-quality/")
    table = cw.page.locator("#service-quality").inner_text()
    assert re.search(r"Safe accommodation\s+25\b", table)
    assert "The night staff were kind." not in cw.page.content()
    anonymous.close()
