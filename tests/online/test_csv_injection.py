"""Every CSV of the online area (evidence package, platforms, partner signals) is safe to open in a spreadsheet
although it carries scraped values (issue #18, item 10)."""

from __future__ import annotations

import functools
import json
import zipfile

import pytest
from django.urls import reverse

from tests.csv_safety import assert_spreadsheet_safe
from tests.online import helpers
from threadline.engines.online import workspace as ws_mod
from threadline.online import packages, services
from threadline.online.models import Scan

pytestmark = pytest.mark.django_db
PLATFORM = '=HYPERLINK("http://x.example","open")'


@functools.cache
def _hostile_workspace():
    """The shared test corpus with every ad id turned into a formula, scanned once."""
    from threadline.engines.online.scan import ScanOptions, run_scan

    root = helpers.shared_root() / "hostile"
    root.mkdir(exist_ok=True)
    lines = helpers.corpus().read_text().splitlines()
    (root / "ads.jsonl").write_text(
        "".join(json.dumps({**json.loads(x), "id": "=" + json.loads(x)["id"]}) + "\n" for x in lines)
    )
    run_scan([str(root / "ads.jsonl")], root / "ws", ScanOptions(workers=1, html_report=False))
    return root / "ws"


@pytest.fixture
def hostile(investigation):
    ws = _hostile_workspace()
    scan = Scan.objects.create(organisation=investigation.organisation, investigation=investigation,
                               status=Scan.Status.COMPLETE, workspace=str(ws), summary={})  # fmt: skip
    investigation.current_scan = scan
    investigation.save(update_fields=["current_scan"])
    rows, _ = ws_mod.network_page(ws_mod.Workspace(ws), ws_mod.NetworkFilter(min_ads=3), offset=0, limit=1)
    return rows[0]["network_id"]


def test_evidence_package_csvs(investigation, analyst, hostile):
    package = packages.package_create(investigation=investigation, network_id=hostile, user=analyst)
    with zipfile.ZipFile(package.path) as zf:
        identifiers = zf.read("identifiers.csv").decode()
        indicators = zf.read("indicators.csv").decode()
    ad_ids = [r["ad_id"] for r in ws_mod.network_entities(ws_mod.Workspace(_hostile_workspace()), hostile)]
    assert ad_ids and all(a.startswith("=") for a in ad_ids)
    assert_spreadsheet_safe(identifiers, must_contain=(ad_ids[0],))
    assert_spreadsheet_safe(indicators)
    assert ",phone,+1" in identifiers  # a normalised phone number is a plain number: written as it is
    assert packages.package_verify(package.path).ok


def test_platforms_csv(investigation, analyst, signed_in, org):
    notice = services.notice_create(investigation=investigation, network_id="N1", platform=PLATFORM,
                                    ad_urls=["https://x.example/ad/1"], reason="review", user=analyst)  # fmt: skip
    services.notice_set_status(notice=notice, status="sent", user=analyst)
    text = signed_in(analyst, org).get(reverse("online:platforms_csv")).content.decode()
    assert_spreadsheet_safe(text, must_contain=(PLATFORM,))


def test_partner_signals_csv(investigation, analyst, hostile):
    data = packages.signals_export(investigation=investigation, network_ids=[hostile], key=b"k" * 16, user=analyst)
    assert_spreadsheet_safe(data.decode())
    assert len(data.decode().splitlines()) > 1
