"""Platform notices and the accountability figures per platform."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from threadline.online import selectors, services
from threadline.online.models import PlatformNotice

pytestmark = pytest.mark.django_db


def _notice(investigation, analyst, platform="citylist.example"):
    return services.notice_create(investigation=investigation, network_id="N1", platform=platform,
                                  ad_urls=["https://citylist.example/ad/1"], reason="review", user=analyst)  # fmt: skip


def test_platform_figures(investigation, analyst):
    now = timezone.now()
    for days_ago, removed_after in [(30, 1), (30, 2), (30, 3), (30, 10), (20, None), (2, None)]:
        notice = _notice(investigation, analyst)
        sent = now - timedelta(days=days_ago)
        services.notice_set_status(notice=notice, status="sent", at=sent, user=analyst)
        if removed_after is not None:
            services.notice_set_status(notice=notice, status="removed", at=sent + timedelta(days=removed_after),
                                       user=analyst)  # fmt: skip
    _notice(investigation, analyst)  # drafted only: not counted as sent
    [stats] = selectors.platform_stats(PlatformNotice.objects.all())
    assert stats["sent"] == 6 and stats["removed"] == 4
    assert stats["share_removed"] == pytest.approx(4 / 6)
    assert stats["median_days"] == pytest.approx(2.5)
    assert stats["p90_days"] == pytest.approx(3 + 0.7 * 7)
    assert stats["due"] == 5 and stats["still_online_7d"] == 2  # removed after 10 days, and never removed


def test_status_dates_are_kept_and_checked(investigation, analyst):
    notice = _notice(investigation, analyst)
    now = timezone.now()
    services.notice_set_status(notice=notice, status="acknowledged", at=now, user=analyst)
    assert notice.sent_at == now  # a reply implies the notice went out
    with pytest.raises(ValidationError):
        services.notice_set_status(notice=notice, status="removed", at=now - timedelta(days=1), user=analyst)


def test_file_a_notice_from_a_network_and_mark_it_removed(investigation, analyst, signed_in, org, top, ws):
    from threadline.engines.online import workspace as ws_mod

    client = signed_in(analyst, org)
    site = top["sites"][0]
    response = client.post(reverse("online:notice_create", args=[investigation.pk, top["network_id"]]),
                           {"platform": site, "reason": "Please review these ads."})  # fmt: skip
    notice = PlatformNotice.objects.get()
    assert response["Location"] == reverse("online:notice", args=[notice.pk])
    expected = {a["url"] for a in ws_mod.network_ads(ws, top["network_id"]) if a["site"] == site}
    assert set(notice.ad_urls) == expected and notice.status == "drafted"
    client.post(reverse("online:notice_status", args=[notice.pk]), {"status": "sent"})
    client.post(reverse("online:notice_status", args=[notice.pk]), {"status": "removed"})
    notice.refresh_from_db()
    assert notice.status == "removed" and notice.removed_at >= notice.sent_at
    page = client.get(reverse("online:platform", args=[site]))
    assert page.context["stats"]["removed"] == 1
    listing = client.get(reverse("online:platforms"))
    assert b"<svg" in listing.content
    csv_text = client.get(reverse("online:platforms_csv")).content.decode()
    assert csv_text.splitlines()[0].startswith("platform,notices,sent,removed")
    assert site in csv_text
