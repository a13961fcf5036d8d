"""The caseworker's path through a protection case, the person's access export, and refusals, in Chromium."""

from __future__ import annotations

import io
import json

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in
from tests.cases import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(cp, user) -> None:
    sign_in(cp, user.email, PASSWORD)
    enrol_and_verify(cp)


def _logout(cp) -> None:
    cp.page.click("button:has-text('Sign out')")
    cp.check()


def _submit(cp, label: str) -> None:
    cp.page.click(f"main button[type=submit]:has-text('{label}')")
    cp.check()


def _screening(org):
    from threadline.screening.models import Screening

    return Screening.objects.create(
        organisation=org,
        reference="SCR-0001",
        is_child=True,
        instrument_id="ilo-2009-child-sexual",
        instrument_version="2009",
        instrument_digest="0" * 64,
        status="completed",
        outcome="presumed_victim",
    )


def test_caseworker_path_from_screening_to_closure_with_a_referral_accepted(checked_page, org, other_org, make_user):
    worker = make_user(org, "caseworker", email="worker@harbour.example")
    supervisor = make_user(org, "supervisor", email="supervisor@harbour.example")
    receiver = make_user(other_org, "caseworker", email="worker@other.example")
    f.partners(org, other_org)
    screening = _screening(org)
    cp = checked_page

    # Open the case from the screening: prefilled, linked, reflection period running.
    _login(cp, worker)
    cp.goto(f"/screening/{screening.pk}/")
    cp.page.click("button:has-text('Open a protection case')")
    cp.check()
    assert "/cases/" in cp.page.url
    case_url = cp.page.url.split("#")[0].replace(cp.base_url, "")
    assert "ilo-2009-child-sexual" in cp.page.inner_text("#screening")
    assert cp.page.inner_text("#reflection-days").strip() in {"29", "30"}

    # Consent to services and to sharing a summary with the partner, explained in a named language.
    for scope, extra in (("services", None), ("sharing", other_org)):
        cp.page.click("a:has-text('Record consent')")
        cp.check()
        cp.page.select_option("#id_scope", scope)
        if extra is not None:
            cp.page.select_option("#id_partner", str(extra.pk))
            cp.page.check("input[name=shares][value=summary]")
            cp.page.check("input[name=shares][value=services]")
        cp.page.fill("#id_language", "Romanian")
        _submit(cp, "Record consent")
        assert "Saved." in cp.page.inner_text(".messages")

    # The child's views, then a service: the views stand beside the decision.
    cp.page.click("#views a:has-text('Record views and wishes')")
    cp.check()
    cp.page.fill("#id_text", "Wants to keep going to school.")
    _submit(cp, "Save")
    cp.page.click("a:has-text('Add a service')")
    cp.check()
    assert "Wants to keep going to school." in cp.page.inner_text(".views-beside")
    cp.page.select_option("#id_kind", "shelter")
    cp.page.fill("#id_provider", "Demo shelter")
    _submit(cp, "Save")
    assert "Demo shelter" in cp.page.inner_text("#services")

    # Refer to the partner within consent.
    cp.page.click("a:has-text('Refer or transfer')")
    cp.check()
    cp.page.select_option("#id_to_organisation", str(other_org.pk))
    cp.page.check("input[name=shares][value=services]")
    cp.page.fill("#id_reason", "Specialist shelter for girls")
    _submit(cp, "Send")
    assert "Awaiting answer" in cp.page.inner_text("#referrals")

    # Ask to close.
    cp.page.click("a:has-text('Ask to close the case')")
    cp.check()
    cp.page.fill("#id_note", "Safe placement found")
    _submit(cp, "Save")
    _logout(cp)

    # The other organisation accepts and gets its own case, with only what was shared.
    _login(cp, receiver)
    cp.goto("/cases/incoming/")
    cp.page.click("main table a")
    cp.check()
    assert "Demo shelter" in cp.page.inner_text("main")
    cp.page.check("input[name=decision][value=accept]")
    cp.page.fill("#id_reason", "Place available")
    _submit(cp, "Send the answer")
    assert "Accepted" in cp.page.inner_text(".messages")
    assert "Received from" in cp.page.inner_text("main")
    _logout(cp)

    # A supervisor approves the closure, seeing the person's views beside the decision.
    _login(cp, supervisor)
    cp.goto(case_url)
    cp.page.click("#approvals a:has-text('Decide')")
    cp.check()
    assert "Wants to keep going to school." in cp.page.inner_text(".views-beside")
    cp.page.check("input[name=decision][value=approve]")
    _submit(cp, "Save")
    assert "Closed" in cp.page.inner_text("main .actions")


def test_the_person_gets_a_password_protected_export_of_their_record(checked_page, org, make_user):
    import pyzipper

    worker = make_user(org, "caseworker", email="export@harbour.example")
    case = f.new_case(org, worker, full_name="Synthetic Person Export")
    cp = checked_page
    _login(cp, worker)
    cp.goto(f"/cases/{case.pk}/")
    cp.page.click("a:has-text('Export the record for the person')")
    cp.check()
    cp.page.fill("#id_password", "a password for the person")
    with cp.page.expect_download() as info:
        cp.page.click("main button[type=submit]")
    data = open(info.value.path(), "rb").read()  # noqa: SIM115
    with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
        zf.setpassword(b"a password for the person")
        record = json.loads(zf.read("record.json"))
        assert zf.read("record.pdf").startswith(b"%PDF")
    assert record["case"]["full_name"] == "Synthetic Person Export"


def test_refusals_other_organisation_role_without_access_and_referral_beyond_consent(
    checked_page, org, other_org, make_user
):
    worker = make_user(org, "caseworker", email="refuse@harbour.example")
    stranger = make_user(other_org, "caseworker", email="stranger@other.example")
    auditor = make_user(org, "auditor", email="auditor@harbour.example")
    f.partners(org, other_org)
    case = f.new_case(org, worker)
    f.consent(case, worker, "sharing", partner=other_org, shares=["summary"])
    cp = checked_page

    # Beyond consent: identity was not agreed; the caseworker cannot override.
    _login(cp, worker)
    cp.goto(f"/cases/{case.pk}/refer/")
    assert cp.page.locator("#id_override_reason").count() == 0
    cp.page.select_option("#id_to_organisation", str(other_org.pk))
    cp.page.check("input[name=shares][value=identity]")
    cp.page.fill("#id_reason", "Shelter")
    _submit(cp, "Send")
    assert "has not agreed" in cp.page.inner_text(".form-errors")
    # Services without consent to services are refused too.
    cp.goto(f"/cases/{case.pk}/services/")
    cp.page.select_option("#id_kind", "medical")
    cp.page.fill("#id_provider", "Clinic")
    _submit(cp, "Save")
    assert "has not agreed" in cp.page.inner_text(".form-errors")
    _logout(cp)

    # Another organisation: not found.
    _login(cp, stranger)
    assert cp.goto(f"/cases/{case.pk}/").status == 404
    _logout(cp)

    # A role without access to cases: refused.
    _login(cp, auditor)
    assert cp.goto("/cases/").status == 403
    assert cp.goto(f"/cases/{case.pk}/").status == 403
