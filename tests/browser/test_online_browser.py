"""The online analyst's path in a real browser: from a new investigation to a removed ad."""

from __future__ import annotations

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD
from tests.online import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_scans_reviews_packages_and_files_a_notice(checked_page, org, make_user, settings, tmp_path):
    from threadline.core.tasks import run_worker
    from threadline.engines.online import workspace as ws_mod
    from threadline.online.models import EvidencePackage, PlatformNotice

    settings.ONLINE_DATA_DIR = str(tmp_path / "online")
    settings.ONLINE_SCAN_WORKERS = 1
    analyst = make_user(org, "online_analyst", email="analyst@harbour.example")
    cp = checked_page
    page = cp.page
    sign_in(cp, analyst.email, PASSWORD)
    enrol_and_verify(cp)

    # Create an investigation and upload a file.
    cp.goto("/online/")
    page.click("a:has-text('New investigation')")
    cp.check()
    page.fill("#id_title", "Coastal classifieds sweep")
    page.click("button:has-text('Create')")
    cp.check()
    page.set_input_files("#id_file", str(helpers.corpus()))
    page.click("button:has-text('Upload')")
    cp.check()
    assert "ads.jsonl" in page.inner_text("main")

    # Start the scan; the page polls its progress while the worker runs it.
    page.click("button:has-text('Start scan')")
    cp.check()
    assert page.locator("#scan-progress").count() == 1
    assert run_worker(once=True) == 1
    page.wait_for_selector("#scan-progress .status-complete", timeout=20000)
    assert page.inner_text("#scan-records") == str(helpers.N_ADS)
    # The rest of the page follows without a reload: the scans table and the Networks tab.
    page.wait_for_selector("#scans-table .status-complete", timeout=5000)
    assert "Queued" not in page.inner_text("#scans-table")
    assert page.locator("#investigation-nav a:has-text('Networks')").count() == 1
    page.click("#scan-progress a:has-text('Review networks')")
    cp.check()

    # Filter by an indicator category, then search a phone as typed.
    top = helpers.top_network()
    page.select_option("#id_category", top["indicator_categories"][0])
    page.click("button:has-text('Filter')")
    cp.check()
    assert "network" in page.inner_text("#network-count")
    phones = ws_mod.network_get(ws_mod.Workspace(helpers.workspace()), top["network_id"])["phones"]
    phone = phones[0]
    typed = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}" if phone.startswith("+1") else phone
    page.goto(cp.base_url + "/online/")
    cp.check()
    page.click("a:has-text('Coastal classifieds sweep')")
    page.click("a:has-text('Review networks')")
    cp.check()
    page.fill("#id_q", typed)
    page.click("button:has-text('Filter')")
    cp.check()
    rows = page.locator("#networks tbody tr")
    assert rows.count() >= 1
    page.click(f"#networks a:has-text('{top['network_id']}')")
    cp.check()

    # Label the network, add a note.
    assert page.locator("svg.chart").count() >= 2 and page.locator("mark.ind").count() >= 1
    assert page.input_value("#id_label") == ""
    page.select_option("#id_label", "likely_trafficking")
    page.click("button:has-text('Save label')")
    cp.check()
    assert "needs your confirmation" in page.inner_text("main")
    assert "Not labelled" in page.inner_text("#current-label")
    page.select_option("#id_label", "likely_trafficking")
    page.check("#id_confirm_serious")
    page.click("button:has-text('Save label')")
    cp.check()
    assert "Likely trafficking" in page.inner_text("#current-label")

    # The graph zooms and shows identifiers by kind.
    graph = page.locator("#network-graph svg")
    whole = graph.get_attribute("viewBox")
    page.click("#graph-controls [data-zoom='in']")
    assert graph.get_attribute("viewBox") != whole
    page.click("#graph-controls [data-zoom='reset']")
    assert graph.get_attribute("viewBox") == whole
    kind = page.locator("[data-graph-kind]").first.get_attribute("data-graph-kind")
    assert page.locator(f"#network-graph .node-id.kind-{kind}").first.is_visible()
    page.uncheck(f"[data-graph-kind='{kind}']")
    assert not page.locator(f"#network-graph .node-id.kind-{kind}").first.is_visible()
    page.fill("#id_text", "Same contact pattern across cities.")
    page.click("button:has-text('Add note')")
    cp.check()

    # Evidence package: create, download, verify.
    page.click("button:has-text('Create evidence package')")
    cp.check()
    with page.expect_download() as info:
        page.click("#download")
    saved = tmp_path / "package.zip"
    info.value.save_as(saved)
    page.click("a:has-text('Verify a package')")
    cp.check()
    page.set_input_files("#id_package", str(saved))
    page.click("button:has-text('Verify')")
    cp.check()
    assert "Intact" in page.inner_text("#verify-result")
    package = EvidencePackage.objects.get()
    assert list(package.custody.values_list("action", flat=True)) == ["created", "viewed", "exported", "verified"]

    # A notice to the platform, sent and then removed.
    cp.goto(f"/online/{package.investigation_id}/networks/{top['network_id']}/")
    page.click("button:has-text('Draft notice')")
    cp.check()
    assert page.locator("#notice-urls li").count() >= 1
    page.select_option("#id_status", "sent")
    page.click("button:has-text('Update status')")
    cp.check()
    page.select_option("#id_status", "removed")
    page.click("button:has-text('Update status')")
    cp.check()
    assert page.inner_text("#notice-status") == "Removed"
    page.click('a:has-text("This platform\'s record")')
    cp.check()
    assert "100%" in page.inner_text("#platform-facts")
    assert PlatformNotice.objects.get().removed_at is not None


def test_other_roles_and_organisations_see_no_investigations(
    checked_page, org, other_org, make_user, settings, tmp_path
):
    settings.ONLINE_DATA_DIR = str(tmp_path / "online")
    owner = make_user(org, "online_analyst")
    inv = helpers.make_investigation(org, owner)
    stranger = make_user(other_org, "online_analyst", email="stranger@other.example")
    cp = checked_page
    sign_in(cp, stranger.email, PASSWORD)
    enrol_and_verify(cp)
    response = cp.goto(f"/online/{inv.pk}/")
    assert response.status == 404
    cp.goto("/online/")
    assert "Test sweep" not in cp.page.inner_text("main")
