"""Platform names come from scraped ``site`` values: any text must give working pages (issue #18, item 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from threadline.online import services

pytestmark = pytest.mark.django_db
NAMES = ["city/list.example", "a/../b", "../../admin", "x?y#z", "trailing/", "100% ads", "سوق"]


@pytest.mark.parametrize("name", NAMES)
def test_platform_pages_work_for_any_site_name(investigation, analyst, signed_in, org, name):
    notice = services.notice_create(investigation=investigation, network_id="N1", platform=name,
                                    ad_urls=["https://x.example/ad/1"], reason="review", user=analyst)  # fmt: skip
    client = signed_in(analyst, org)
    listing = client.get(reverse("online:platforms"))
    assert listing.status_code == 200
    url = reverse("online:platform", args=[name])
    assert url.encode() in listing.content.replace(b"&amp;", b"&")
    assert client.get(reverse("online:notice", args=[notice.pk])).status_code == 200
    detail = client.get(url)
    assert detail.status_code == 200 and detail.context["platform"] == name
