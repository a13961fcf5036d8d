"""A data officer imports two partner files, links them, releases a protected table and views the public page."""

from __future__ import annotations

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _insights_root(settings, tmp_path):
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")


def _import(cp, path, source):
    cp.goto("/insights/imports/")
    cp.page.set_input_files("#id_file", str(path))
    cp.page.select_option("#id_format", "htcds")
    cp.page.fill("#id_source", source)
    cp.page.click("button:has-text('Upload and check')")
    cp.check()
    assert "Column mapping" in cp.page.content()
    cp.page.click("button:has-text('Validate with this mapping')")
    cp.check()
    assert "no problems found" in cp.page.locator("#report-title + p").inner_text()
    cp.page.click("#accept-import")
    cp.check()
    assert cp.page.locator("#import-status").inner_text() == "Imported"


def test_data_officer_imports_links_releases_and_views_the_public_page(
    checked_page, browser, live_server, org, make_user, tmp_path
):
    from threadline.engines.insights import generate, write_agency_files

    files = [
        p
        for p in write_agency_files(generate(400, agencies=2, seed=5), tmp_path / "files")
        if p.name.startswith("agency")
    ]
    officer = make_user(org, "data_officer", email="officer@harbour.example")
    cp = checked_page
    sign_in(cp, officer.email, PASSWORD)
    enrol_and_verify(cp)

    for path in files:
        _import(cp, path, f"partner-{path.stem}")

    cp.goto("/insights/linkage/")
    cp.page.click("button:has-text('Run linkage')")
    cp.check()
    duplicates = int(cp.page.locator("#estimated-duplicates").inner_text())
    assert duplicates > 0

    cp.goto("/insights/dashboards/scale/")
    assert cp.page.locator("#chart-by_year svg").count() == 1

    cp.goto("/insights/releases/")
    cp.page.fill("#id_title", "Victims by gender and age group")
    cp.page.select_option("#id_group_by", ["gender", "majorityStatus"])
    # Protecting a release audits it against every figure published before (a small store is the hard case):
    # about 5 s here on an idle machine, three times that on a shared one, so this step gets longer than 15 s.
    cp.page.click("button:has-text('Protect and preview')", timeout=90_000)
    cp.check()
    assert "Cells below k=11 suppressed" in cp.page.content()
    cp.page.click("button:has-text('Publish on the public page')")
    cp.check()
    assert cp.page.locator("#release-status").inner_text() == "published"

    visitor = browser.new_context(locale="en-GB")
    page = visitor.new_page()
    page.goto(live_server.url + "/insights/public/")
    assert "Victims by gender and age group" in page.content()
    assert page.locator(".public-release svg").count() == 1
    visitor.close()


def test_messy_upload_shows_the_report_then_cancel_or_accept(
    checked_page, browser, live_server, org, make_user, tmp_path
):
    """A lenient upload: the report names each unreadable value and quarantined row before anything is
    stored; cancel stores nothing, accept stores the rows kept."""
    from threadline.engines.insights import generate, write_agency_files
    from threadline.insights.stores import store_for

    (path,) = [
        p
        for p in write_agency_files(generate(120, agencies=1, seed=9), tmp_path / "m", messy=0.15, seed=9)
        if p.name.startswith("agency")
    ]
    officer = make_user(org, "data_officer", email="messy@harbour.example")
    cp = checked_page
    sign_in(cp, officer.email, PASSWORD)
    enrol_and_verify(cp)

    def upload(source):
        cp.goto("/insights/imports/")
        cp.page.set_input_files("#id_file", str(path))
        cp.page.select_option("#id_format", "htcds")
        cp.page.fill("#id_source", source)
        cp.page.click("button:has-text('Upload and check')")
        cp.check()
        cp.page.click("button:has-text('Validate with this mapping')")
        cp.check()
        counts = cp.page.locator("#import-counts").inner_text()
        assert "quarantined" in counts and "kept" in counts
        report = cp.page.locator("#validation-report").inner_text()
        assert "row quarantined" in report and "set to missing" in report
        return counts

    upload("messy-a")
    cp.page.click("#cancel-import")
    cp.check()
    assert cp.page.locator("#import-status").inner_text() == "Cancelled: nothing stored"
    assert not store_for(org).batch_files()

    counts = upload("messy-b")
    cp.page.click("#accept-import")
    cp.check()
    assert cp.page.locator("#import-status").inner_text() == "Imported"
    kept = int(counts.split("=")[1].split("kept")[0])
    assert store_for(org).batches()[0]["rows"] == kept
