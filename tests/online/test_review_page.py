"""Issue #19 item 9: reviewing a network is safe (no preselected label, serious labels confirmed) and light
(ads in pages, per-ad labels collapsed, single ads hidden from the list unless asked for)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from threadline.online.models import NetworkReview

pytestmark = pytest.mark.django_db


def test_the_label_box_of_an_unlabelled_network_starts_empty(investigation, analyst, signed_in, org, top):
    body = signed_in(analyst, org).get(reverse("online:network", args=[investigation.pk, top["network_id"]]))
    select = re.search(r'<select name="label"[^>]*id="id_label".*?</select>', body.content.decode(), re.S).group(0)
    assert "selected" not in select.replace('<option value="" selected>', "")
    assert '<option value="" selected>' in select


@pytest.mark.parametrize("label", ["likely_trafficking", "possible_minor"])
def test_a_serious_label_is_saved_only_when_confirmed(investigation, analyst, signed_in, org, top, label):
    client = signed_in(analyst, org)
    url = reverse("online:network_label", args=[investigation.pk, top["network_id"]])
    page = client.post(url, {"label": label}, follow=True).content.decode()
    assert not NetworkReview.objects.filter(investigation=investigation, label=label).exists()
    assert "A serious label needs your confirmation" in page
    client.post(url, {"label": label, "confirm_serious": "on"})
    assert NetworkReview.objects.get(investigation=investigation, network_id=top["network_id"]).label == label


def test_a_mild_label_needs_no_confirmation(investigation, analyst, signed_in, org, top):
    client = signed_in(analyst, org)
    client.post(reverse("online:network_label", args=[investigation.pk, top["network_id"]]), {"label": "spam_scam"})
    assert NetworkReview.objects.get(investigation=investigation).label == "spam_scam"


def test_ads_come_in_pages_with_their_label_forms_collapsed(investigation, analyst, signed_in, org, top, monkeypatch):
    from threadline.online import selectors

    monkeypatch.setattr(selectors, "ADS_PER_PAGE", 2)
    client = signed_in(analyst, org)
    url = reverse("online:network", args=[investigation.pk, top["network_id"]])
    first = client.get(url).content.decode()
    assert first.count('<article class="ad card"') == 2 and first.count('<details class="ad-label">') == 2
    assert f"Ads 1–2 of {top['n_ads']}" in first and "ads_page=2" in first
    last = client.get(url, {"ads_page": 99}).content.decode()
    assert last.count('<article class="ad card"') == (top["n_ads"] - 1) % 2 + 1


def test_the_network_list_hides_single_ads_unless_asked(investigation, analyst, signed_in, org):
    client = signed_in(analyst, org)
    url = reverse("online:networks", args=[investigation.pk])
    default = client.get(url)
    assert default.context["form"]["min_ads"].value() == "2"
    assert default.context["total"] > 0
    everything = client.get(url, {"min_ads": ""})
    assert everything.context["total"] > default.context["total"]
    shown = client.get(url, {"min_ads": "", "max_ads": "1"}).context["networks"]
    assert shown and all(n["n_ads"] == 1 for n in shown)
    assert all(n["n_ads"] >= 2 for n in default.context["networks"])
