"""The API: investigations with ranked networks, labels and notices, scoped like the pages."""

from __future__ import annotations

import pytest

from threadline.engines.online import workspace as ws_mod

pytestmark = pytest.mark.django_db


def test_networks_labels_and_notices_through_the_api(investigation, analyst, org, api_client, top, ws):
    api = api_client(analyst, org)
    listing = api.get(f"/api/v1/online/investigations/{investigation.pk}/networks/", {"limit": 5})
    assert listing.status_code == 200 and listing.json()["count"] > 5 and len(listing.json()["results"]) == 5
    network = ws_mod.network_get(ws, top["network_id"])
    found = api.get(f"/api/v1/online/investigations/{investigation.pk}/networks/", {"q": network["phones"][0]})
    assert top["network_id"] in {r["network_id"] for r in found.json()["results"]}

    label = api.post("/api/v1/online/labels/", {"investigation": investigation.pk, "network_id": top["network_id"],
                                                "label": "likely_trafficking"}, format="json")  # fmt: skip
    assert label.status_code == 201, label.content
    relabel = api.patch(f"/api/v1/online/labels/{label.json()['id']}/", {"label": "needs_info"}, format="json")
    assert relabel.json()["label"] == "needs_info"
    filtered = api.get(f"/api/v1/online/investigations/{investigation.pk}/networks/", {"review": "needs_info"})
    assert [r["network_id"] for r in filtered.json()["results"]] == [top["network_id"]]

    body = {"investigation": investigation.pk, "network_id": top["network_id"], "platform": top["sites"][0],
            "reason": "review"}  # fmt: skip
    notice = api.post("/api/v1/online/notices/", body, format="json")
    assert notice.status_code == 201 and notice.json()["ad_urls"]
    sent = api.patch(f"/api/v1/online/notices/{notice.json()['id']}/", {"status": "removed"}, format="json")
    assert sent.json()["status"] == "removed" and sent.json()["sent_at"]


def test_api_refuses_other_organisations_investigations(investigation, other_org, make_user, api_client, top):
    stranger = make_user(other_org, "online_analyst")
    api = api_client(stranger, other_org)
    assert api.get(f"/api/v1/online/investigations/{investigation.pk}/networks/").status_code == 404
    response = api.post("/api/v1/online/labels/", {"investigation": investigation.pk, "network_id": top["network_id"],
                                                   "label": "spam_scam"}, format="json")  # fmt: skip
    assert response.status_code in (400, 404)
    assert api.get("/api/v1/online/investigations/").json()["count"] == 0


def test_a_service_refusal_is_a_400_in_the_one_error_shape(investigation, analyst, org, api_client, top):
    api = api_client(analyst, org)
    body = {"investigation": investigation.pk, "network_id": top["network_id"], "platform": "no-such-site.example",
            "reason": "review"}  # fmt: skip
    refused = api.post("/api/v1/online/notices/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": ["The network has no ad addresses on that platform."]}
    assert refused.json()["request_id"]
