"""Issue #19 item 10: when the polled scan progress completes, the scans table, the summary and the Networks
tab of the investigation page are refreshed with it (htmx out-of-band), not only after a reload."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _poll(client, scan, page_url):
    return client.get(
        reverse("online:scan", args=[scan.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page_url}",
    ).content.decode()


def test_the_last_poll_refreshes_the_scans_table_and_the_tabs(investigation, analyst, signed_in, org):
    client = signed_in(analyst, org)
    page = reverse("online:investigation", args=[investigation.pk])
    body = _poll(client, investigation.current_scan, page)
    assert 'id="investigation-nav" aria-label="Investigation" hx-swap-oob="true"' in body
    assert reverse("online:networks", args=[investigation.pk]) in body.split('id="investigation-nav"')[1]
    table = body.split('<div id="scans-table" hx-swap-oob="true">')[1]
    assert "status-complete" in table and "Queued" not in table
    assert '<div id="investigation-summary" hx-swap-oob="true">' in body


def test_a_running_scan_or_another_page_gets_the_fragment_alone(investigation, analyst, signed_in, org):
    from threadline.online.models import Scan

    client = signed_in(analyst, org)
    scan = investigation.current_scan
    assert "hx-swap-oob" not in _poll(client, scan, reverse("online:scan", args=[scan.pk]))
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.RUNNING)
    scan.refresh_from_db()
    body = _poll(client, scan, reverse("online:investigation", args=[investigation.pk]))
    assert "hx-swap-oob" not in body and 'hx-trigger="every 2s"' in body
