"""Review actions on networks and ads: labels, second reviewer, assignment, notes; all audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.online import helpers
from threadline.audit.models import AuditEntry
from threadline.online import services
from threadline.online.models import NetworkReview

pytestmark = pytest.mark.django_db


def test_label_confirm_assign_and_notes_are_audited(investigation, analyst, colleague, top):
    nid = top["network_id"]
    review = services.network_label(investigation=investigation, network_id=nid, label="likely_trafficking",
                                    user=analyst)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.network_confirm(investigation=investigation, network_id=nid, user=analyst)
    services.network_confirm(investigation=investigation, network_id=nid, user=colleague)
    services.network_assign(investigation=investigation, network_id=nid, assignee=colleague, user=analyst)
    note = services.note_add(investigation=investigation, network_id=nid, text="Same phone as last month.",
                             user=analyst)  # fmt: skip
    review.refresh_from_db()
    assert review.confirmed_by == colleague and review.assigned_to == colleague
    types = set(AuditEntry.objects.filter(object_type__startswith="online.").values_list("object_type", "action"))
    assert {("online.networkreview", "create"), ("online.networkreview", "update"),
            ("online.reviewnote", "create")} <= types  # fmt: skip
    # a changed label needs a new confirmation
    services.network_label(investigation=investigation, network_id=nid, label="spam_scam", user=colleague)
    review.refresh_from_db()
    assert review.confirmed_by is None
    assert note.text == "Same phone as last month."  # encrypted at rest, readable in the app


def test_cannot_confirm_an_unlabelled_network_or_assign_outside_the_role(investigation, analyst, org, make_user, top):
    with pytest.raises(ValidationError):
        services.network_confirm(investigation=investigation, network_id=top["network_id"], user=analyst)
    caseworker = make_user(org, "caseworker")
    with pytest.raises(ValidationError):
        services.network_assign(investigation=investigation, network_id=top["network_id"], assignee=caseworker,
                                user=analyst)  # fmt: skip


def test_pages_label_a_network_and_an_ad(investigation, analyst, signed_in, org, ws, top):
    from threadline.engines.online import workspace as ws_mod

    client = signed_in(analyst, org)
    nid = top["network_id"]
    url = reverse("online:network", args=[investigation.pk, nid])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and '<mark class="ind' in body and "Why this network ranks here" in body
    assert AuditEntry.objects.filter(object_type="online.network", object_id=nid, action="view").exists()
    client.post(
        reverse("online:network_label", args=[investigation.pk, nid]),
        {"label": "possible_minor", "confirm_serious": "on"},
    )
    assert NetworkReview.objects.get(investigation=investigation, network_id=nid).label == "possible_minor"
    ad = ws_mod.network_ads(ws, nid, limit=1)[0]
    client.post(reverse("online:ad_label", args=[investigation.pk, nid]), {"ad_id": ad["ad_id"], "label": "spam_scam"})
    assert investigation.ad_labels.get().label == "spam_scam"
    listing = client.get(reverse("online:networks", args=[investigation.pk]), {"review": "possible_minor"})
    assert listing.context["total"] == 1 and nid in listing.content.decode()
    unreviewed = client.get(reverse("online:networks", args=[investigation.pk]), {"review": "unreviewed"})
    assert nid not in {n["network_id"] for n in unreviewed.context["networks"]}


def test_an_ad_of_another_network_cannot_be_labelled_here(investigation, analyst, signed_in, org, ws, top):
    from threadline.engines.online import workspace as ws_mod

    rows, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(exclude_ids=[top["network_id"]]), offset=0, limit=1)
    other_ad = ws_mod.network_ads(ws, rows[0]["network_id"], limit=1)[0]["ad_id"]
    client = signed_in(analyst, org)
    response = client.post(reverse("online:ad_label", args=[investigation.pk, top["network_id"]]),
                           {"ad_id": other_ad, "label": "spam_scam"})  # fmt: skip
    assert response.status_code == 404 and not investigation.ad_labels.exists()


def test_without_the_online_role_nothing_is_visible(org, make_user, signed_in, investigation):
    caseworker = make_user(org, "caseworker")
    client = signed_in(caseworker, org)
    assert client.get(reverse("online:investigations")).status_code == 403
    assert client.get(reverse("online:investigation", args=[investigation.pk])).status_code == 403
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("online:investigations") not in home


def test_another_organisations_analyst_gets_not_found(investigation, other_org, make_user, signed_in, top):
    stranger = make_user(other_org, "online_analyst")
    client = signed_in(stranger, other_org)
    assert client.get(reverse("online:investigation", args=[investigation.pk])).status_code == 404
    assert client.get(reverse("online:network", args=[investigation.pk, top["network_id"]])).status_code == 404
    response = client.post(reverse("online:network_label", args=[investigation.pk, top["network_id"]]),
                           {"label": "spam_scam"})  # fmt: skip
    assert response.status_code == 404 and not NetworkReview.objects.exists()


def test_network_page_says_why_each_ad_is_in_the_network(investigation, analyst, signed_in, org, ws, top):
    from threadline.engines.online import workspace as ws_mod

    client = signed_in(analyst, org)
    nid = top["network_id"]
    page = client.get(reverse("online:network", args=[investigation.pk, nid]))
    ads = page.context["ads"]
    assert len(ads) == top["n_ads"] >= 3
    assert all(ad["why"] for ad in ads)  # every ad of a multi-ad network has its reason
    links = ws_mod.network_links(ws, nid)
    shared = {link["value"] for link in links if link["kind"] != "text"}
    body = page.content.decode()
    assert "Why in this network" in body and any(v in body for v in shared)


def test_link_reasons_explain_both_ads_of_a_link():
    from threadline.online.evidence import link_reasons

    reasons = link_reasons([
        {"ad_id": "b", "other_ad_id": "a", "kind": "phone", "value": "+12025550143"},
        {"ad_id": "c", "other_ad_id": "a", "kind": "phone", "value": "+12025550143"},
        {"ad_id": "d", "other_ad_id": "c", "kind": "text", "value": None},
    ])  # fmt: skip
    assert [(r["kind"], r["value"], r["n_links"]) for r in reasons["a"]] == [("phone", "+12025550143", 2)]
    assert [(r["kind"], r["other_ad_id"]) for r in reasons["c"]] == [("phone", ""), ("text", "d")]
    assert [(r["kind"], r["other_ad_id"]) for r in reasons["d"]] == [("text", "c")]


@pytest.fixture
def own(investigation, tmp_path):
    """The investigation on its own copy of the shared workspace (corrections write an overlay into it)."""
    import shutil

    from threadline.engines.online import workspace as ws_mod

    root = tmp_path / "ws"
    shutil.copytree(helpers.workspace(), root)
    investigation.current_scan.workspace = str(root)
    investigation.current_scan.save(update_fields=["workspace"])
    return investigation, ws_mod.Workspace(root)


def _big(ws) -> dict:
    from threadline.engines.online import workspace as ws_mod

    rows, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(min_ads=5), offset=0, limit=1)
    return rows[0]


def test_split_and_remove_ads_persist_and_feed_calibration(own, analyst, signed_in, org):
    from threadline.engines.online import workspace as ws_mod
    from threadline.online.models import AdCorrection

    investigation, ws = own
    client = signed_in(analyst, org)
    top = _big(ws)
    nid = top["network_id"]
    ads = [a["ad_id"] for a in ws_mod.network_ads(ws, nid)]
    url = reverse("online:network_correct", args=[investigation.pk, nid])
    client.post(url, {"action": "remove", "ad_ids": [ads[2]]})
    client.post(url, {"action": "split", "ad_ids": ads[:2]})
    rows = {c.ad_id: c for c in AdCorrection.objects.filter(investigation=investigation)}
    assert {a: rows[a].action for a in ads[:3]} == {ads[0]: "split", ads[1]: "split", ads[2]: "remove"}
    assert rows[ads[0]].part and rows[ads[0]].part == rows[ads[1]].part and not rows[ads[2]].part
    assert all(rows[a].evidence for a in ads[:3])  # the kinds of link that had put each ad there
    assert AuditEntry.objects.filter(object_type="online.adcorrection", action="create").count() == 3
    moved = ws_mod.ad_network_ids(ws, ads[:3])
    split_id, removed_id = moved[ads[0]], moved[ads[2]]
    assert split_id.startswith("S") and moved[ads[1]] == split_id and removed_id.startswith("R")
    page = client.get(reverse("online:network", args=[investigation.pk, split_id])).content.decode()
    assert "Split off" in page
    page = client.get(reverse("online:network", args=[investigation.pk, removed_id])).content.decode()
    assert "Removed from the network" in page
    # kept by ad id across a re-scan: a changed network id follows the ad (the scanned network it corrected)
    AdCorrection.objects.filter(investigation=investigation).update(network_id="Nold")
    services.reviews_carry_over(investigation=investigation, workspace=ws)
    assert set(AdCorrection.objects.values_list("network_id", flat=True)) == {nid}
    report = client.get(reverse("online:calibration", args=[investigation.pk])).context["report"]
    assert sum(report["corrections"].values()) >= 3
    # splitting every ad off is not a split; an ad of another network cannot be corrected here
    rest = [a["ad_id"] for a in ws_mod.network_ads(ws, nid)]
    client.post(url, {"action": "split", "ad_ids": rest})
    client.post(url, {"action": "remove", "ad_ids": ["not-an-ad-of-this-network"]})
    assert AdCorrection.objects.count() == 3
    # put back from where the ads are now: the network is whole again and the overlay is gone
    client.post(reverse("online:network_correct", args=[investigation.pk, split_id]),
                {"action": "restore", "ad_ids": ads[:2]})  # fmt: skip
    client.post(reverse("online:network_correct", args=[investigation.pk, removed_id]),
                {"action": "restore", "ad_ids": [ads[2]]})  # fmt: skip
    assert not AdCorrection.objects.exists()
    assert ws.overlay() is None and ws_mod.network_get(ws, nid)["n_ads"] == top["n_ads"]


def test_corrections_change_the_list_counts_detail_and_exports(own, analyst, signed_in, org):
    import shutil

    from threadline.engines.online import workspace as ws_mod

    investigation, ws = own
    client = signed_in(analyst, org)
    top = _big(ws)
    nid, n = top["network_id"], top["n_ads"]
    ads = [a["ad_id"] for a in ws_mod.network_ads(ws, nid)]
    _rows, total_before = ws_mod.network_page(ws, ws_mod.NetworkFilter(), offset=0, limit=1)
    url = reverse("online:network_correct", args=[investigation.pk, nid])
    client.post(url, {"action": "split", "ad_ids": ads[:2]})
    client.post(url, {"action": "remove", "ad_ids": [ads[2]]})
    # the list: two more networks, the corrected one smaller, the split part a network of its own
    rows, total = ws_mod.network_page(ws, ws_mod.NetworkFilter(), offset=0, limit=100_000)
    by_id = {r["network_id"]: r for r in rows}
    split_id = ws_mod.ad_network_ids(ws, [ads[0]])[ads[0]]
    assert total == total_before + 2 == len(rows)
    assert by_id[nid]["n_ads"] == n - 3 and by_id[split_id]["n_ads"] == 2
    assert sum(r["n_ads"] for r in rows) == helpers.N_ADS  # every ad still in exactly one network
    listing = client.get(reverse("online:networks", args=[investigation.pk]), {"min_ads": 2})
    assert split_id in listing.content.decode()
    # the detail page: counts, ads, identifiers and the links that still hold it together
    detail = client.get(reverse("online:network", args=[investigation.pk, nid]))
    assert detail.context["network"]["n_ads"] == n - 3
    assert {a["ad_id"] for a in detail.context["ads"]} == set(ads[3:])
    assert not {e["ad_id"] for e in ws_mod.network_entities(ws, nid)} & set(ads[:3])
    for link in ws_mod.network_links(ws, nid):
        assert link["ad_id"] not in ads[:3] and link["other_ad_id"] not in ads[:3]
    assert ws_mod.search_networks(ws, split_id) == [split_id]
    # exports read the same functions: a notice for the corrected network names only its remaining ads
    assert {a["ad_id"] for a in ws_mod.network_ads(ws, nid, limit=100_000)} == set(ads[3:])
    # a re-scan keeps the corrections: the overlay is written again on the new workspace
    fresh = ws.root.parent / "rescan"
    shutil.copytree(helpers.workspace(), fresh)
    services.corrections_apply(investigation=investigation, workspace=ws_mod.Workspace(fresh))
    assert ws_mod.ad_network_ids(ws_mod.Workspace(fresh), ads[:3]) == ws_mod.ad_network_ids(ws, ads[:3])
