"""Writing labels and notices needs write permission on the investigation, not only the right to see it."""

from __future__ import annotations

import pytest

from threadline.core.roles import ROLES, Role
from threadline.online.models import NetworkReview, PlatformNotice

pytestmark = pytest.mark.django_db

# A reader of investigations who may add labels and notices but not change the investigation itself.
READ_ONLY_INVESTIGATION = {
    "online.view_investigation",
    "online.view_networkreview",
    "online.add_networkreview",
    "online.view_platformnotice",
    "online.add_platformnotice",
}


@pytest.fixture
def reader(org, make_user, monkeypatch):
    role = ROLES["auditor"]
    monkeypatch.setitem(
        ROLES, "auditor", Role(role.key, role.label, role.requires_mfa, role.permissions | READ_ONLY_INVESTIGATION)
    )
    return make_user(org, "auditor")


def test_a_label_on_an_investigation_the_user_may_only_see_is_refused(investigation, reader, org, api_client, top):
    api = api_client(reader, org)
    body = {"investigation": investigation.pk, "network_id": top["network_id"], "label": "likely_trafficking"}
    response = api.post("/api/v1/online/labels/", body, format="json")
    assert response.status_code == 400 and "investigation" in response.json()["errors"]
    assert not NetworkReview.objects.exists()


def test_a_notice_on_an_investigation_the_user_may_only_see_is_refused(investigation, reader, org, api_client, top):
    api = api_client(reader, org)
    body = {"investigation": investigation.pk, "network_id": top["network_id"], "platform": top["sites"][0]}
    response = api.post("/api/v1/online/notices/", {**body, "reason": "review"}, format="json")
    assert response.status_code == 400 and "investigation" in response.json()["errors"]
    assert not PlatformNotice.objects.exists()


def test_the_reader_still_sees_the_investigation(investigation, reader, org, api_client):
    assert api_client(reader, org).get("/api/v1/online/investigations/").json()["count"] == 1
