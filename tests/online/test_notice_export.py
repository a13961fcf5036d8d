"""Issue #19 item 11: a platform notice can be copied and exported as plain text and PDF (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from threadline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(investigation, analyst, top):
    from tests.online import helpers
    from threadline.engines.online.workspace import Workspace, network_ads
    from threadline.online.services import notice_create

    ads = [a for a in network_ads(Workspace(helpers.workspace()), top["network_id"]) if a.get("site") and a.get("url")]
    platform = ads[0]["site"]
    return notice_create(
        investigation=investigation,
        network_id=top["network_id"],
        platform=platform,
        ad_urls=[a["url"] for a in ads if a["site"] == platform],
        reason="Ads of one network offer the same services.",
        user=analyst,
    )


def test_the_notice_page_offers_copy_text_and_pdf(notice, analyst, signed_in, org):
    client = signed_in(analyst, org)
    page = client.get(reverse("online:notice", args=[notice.pk])).content.decode()
    assert 'id="notice-copy"' in page and 'data-copy="To the trust and safety team of' in page
    text = client.get(reverse("online:notice_export", args=[notice.pk, "txt"]))
    assert text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert body.startswith(f"To the trust and safety team of {notice.platform}:")
    assert "Ads of one network offer the same services." in body
    assert all(f"- {url}" in body for url in notice.ad_urls)
    pdf = client.get(reverse("online:notice_export", args=[notice.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_type="online.platformnotice", action="export").count() == 2
    assert client.get(reverse("online:notice_export", args=[notice.pk, "doc"])).status_code == 404
