"""The online area's downloads on ``ScopedDownloadView`` (issue #17): the same bytes, names, types and
records as before the move (the evidence package's custody, the notice's and the platform sheet's audit)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.urls import reverse

from threadline.audit.models import AuditEntry
from threadline.engines import csvsafe

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_(analyst, signed_in, org):
    return signed_in(analyst, org)


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


def test_the_evidence_package_is_the_file_with_its_custody(client_, investigation, analyst, top):
    from threadline.online.models import CustodyEvent
    from threadline.online.packages import package_create

    package = package_create(investigation=investigation, network_id=top["network_id"], user=analyst)
    response = client_.get(reverse("online:package_download", args=[package.pk]))
    assert response.status_code == 200
    with open(package.path, "rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    name = f"evidence-{package.network_id}-{str(package.pk)[:8]}.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert package.custody.filter(action=CustodyEvent.Action.EXPORTED, actor=analyst).count() == 1


def test_the_notice_text_is_its_plain_text_and_audited(client_, notice):
    from threadline.online import selectors

    response = client_.get(reverse("online:notice_export", args=[notice.pk, "txt"]))
    assert response.content == selectors.notice_text(notice).plain().encode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="notice-{notice.pk}.txt"'
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="export", object_type="online.platformnotice")
    assert (entry.object_id, entry.note, entry.organisation_id) == (str(notice.pk), "txt", notice.organisation_id)
    before = AuditEntry.objects.count()
    assert client_.get(reverse("online:notice_export", args=[notice.pk, "doc"])).status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == 1 and AuditEntry.objects.count() >= before


def test_the_platform_sheet_is_unchanged_and_audited(client_, notice):
    from threadline.online import selectors
    from threadline.online.models import PlatformNotice

    response = client_.get(reverse("online:platforms_csv"))
    buf = io.StringIO()
    rows = selectors.platform_csv_rows(selectors.platform_stats(PlatformNotice.objects.all()))
    csvsafe.writer(buf).writerows(rows)
    assert response.content == buf.getvalue().encode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="platforms-{datetime.now():%Y%m%d}.csv"'
    entry = AuditEntry.objects.get(action="export", note="platform accountability csv")
    assert entry.object_type == "online.platformnotice"
