"""The administrator's and user's path through the foundation, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in, sign_in_with_mfa
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_enrol_second_factor_and_sign_in_with_it(checked_page, org, make_user):
    admin = make_user(org, "administrator", email="admin@harbour.example")
    cp = checked_page

    sign_in(cp, admin.email, PASSWORD)
    assert "/accounts/mfa/setup/" in cp.page.url  # every role that sees identifying data must enrol
    secret = enrol_and_verify(cp)
    codes = cp.page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10

    cp.page.click("a:has-text('continue')")
    cp.check()
    assert cp.page.locator("h1").inner_text() == org.name

    cp.page.click("button:has-text('Sign out')")
    cp.check()
    sign_in_with_mfa(cp, admin.email, PASSWORD, secret)
    assert cp.page.locator("h1").inner_text() == org.name

    # A wrong password is refused without saying which part was wrong.
    cp.page.click("button:has-text('Sign out')")
    sign_in(cp, admin.email, "not-the-password")
    assert "not correct" in cp.page.locator(".form-errors").inner_text()


def test_switch_language_to_french_and_arabic(checked_page, org, make_user):
    cp = checked_page
    cp.goto("/accounts/login/")
    with cp.page.expect_navigation():
        cp.page.select_option("#language", "fr")
    cp.check()
    assert cp.page.locator("html").get_attribute("lang") == "fr"
    assert cp.page.locator("h1").inner_text() == "Connexion"
    with cp.page.expect_navigation():
        cp.page.select_option("#language", "ar")
    cp.check()
    assert cp.page.locator("html").get_attribute("dir") == "rtl"


def test_administrator_browses_and_filters_the_audit_log(checked_page, org, make_user):
    admin = make_user(org, "administrator", email="admin2@harbour.example")
    make_user(org, "caseworker", email="worker@harbour.example")
    cp = checked_page
    sign_in(cp, admin.email, PASSWORD)
    secret = enrol_and_verify(cp)
    cp.goto("/audit/")
    assert cp.page.locator("table tbody tr").count() >= 3
    cp.page.select_option("#id_action", "mfa")
    cp.page.click("button:has-text('Filter')")
    cp.check()
    actions = cp.page.locator("table tbody tr td:nth-child(4)").all_inner_texts()
    assert actions and all(a.startswith("Second factor") for a in actions)
    cp.page.click("button:has-text('Verify the chain')")
    cp.page.wait_for_selector("#verify-result .message")
    assert "intact" in cp.page.inner_text("#verify-result")
    assert secret


def test_refused_another_organisations_objects(checked_page, org, other_org, make_user):
    from threadline.accounts.models import Membership

    admin = make_user(org, "administrator", email="admin3@harbour.example")
    stranger = make_user(other_org, "caseworker", email="stranger@other.example")
    foreign = Membership.objects.get(user=stranger, organisation=other_org)
    caseworker = make_user(org, "caseworker", email="cw@harbour.example")

    cp = checked_page
    sign_in(cp, admin.email, PASSWORD)
    enrol_and_verify(cp)
    response = cp.goto(f"/accounts/members/{foreign.pk}/")
    assert response.status == 404
    assert "another organisation" in cp.page.inner_text("main")

    cp.page.click("button:has-text('Sign out')")
    sign_in(cp, caseworker.email, PASSWORD)
    enrol_and_verify(cp)
    response = cp.goto("/audit/")
    assert response.status == 403


def test_every_foundation_page_is_accessible_on_desktop_and_phone(checked_page, org, make_user):
    """axe-core and console checks on each page an administrator can reach, at desktop and phone widths."""
    from threadline.accounts.models import Membership
    from threadline.core.models import Task

    admin = make_user(org, "administrator", email="admin4@harbour.example")
    admin.is_staff = True
    admin.save()
    member = Membership.objects.get(user=make_user(org, "caseworker"), organisation=org)
    # A kind of task an administrator may see (the daily audit check is a system task, nobody's page).
    task = Task.objects.create(name="insights.import", organisation=org, created_by=admin, payload={"job": "0"})
    cp = checked_page
    sign_in(cp, admin.email, PASSWORD)
    enrol_and_verify(cp)
    pages = ["/", "/accounts/profile/", "/accounts/members/", "/accounts/members/new/",
             f"/accounts/members/{member.pk}/", "/audit/", "/audit/?action=login", "/tasks/",
             f"/tasks/{task.pk}/", "/accounts/organisation/new/", "/no-such-page/"]  # fmt: skip
    for width in (1100, 380):
        cp.page.set_viewport_size({"width": width, "height": 800})
        cp.checked.clear()
        for path in pages:
            cp.goto(path)
            overflow = cp.page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
            assert not overflow or path.startswith("/audit/"), f"{path} scrolls sideways at {width}px"
