from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/organisations/", "/api/v1/members/", "/api/v1/audit/"} <= set(doc["paths"])


def test_token_sees_only_its_organisation(org, other_org, make_user, api_client):
    user = make_user(org, "administrator")
    make_user(other_org, "administrator")
    api = api_client(user, org)
    orgs = api.get("/api/v1/organisations/").json()
    assert [o["id"] for o in orgs["results"]] == [org.pk]
    members = api.get("/api/v1/members/").json()["results"]
    assert all(m["email"].endswith("agency.example") for m in members) and len(members) == 1


def test_invalid_token_is_401_with_a_request_id(client):
    response = client.get("/api/v1/organisations/", HTTP_AUTHORIZATION="Token tl_nope_nope")
    assert response.status_code == 401
    body = response.json()
    assert body["errors"]["non_field_errors"] and body["request_id"]


def test_bad_payload_gets_field_errors_and_nothing_is_saved(org, make_user, api_client):
    from threadline.accounts.models import User

    admin = make_user(org, "administrator")
    api = api_client(admin, org)
    response = api.post("/api/v1/members/", {"email": "nope", "role": "wizard", "password": "x"}, format="json")
    assert response.status_code == 400
    assert {"email", "role", "password"} <= set(response.json()["errors"])
    response = api.post(
        "/api/v1/members/",
        {"email": "ok@agency.example", "role": "caseworker", "password": "password1234"},
        format="json",
    )
    assert response.status_code == 400 and "password" in response.json()["errors"]
    assert not User.objects.filter(email="ok@agency.example").exists()


def test_administrator_invites_a_member_through_the_api_and_changes_the_role(org, make_user, api_client):
    from threadline.accounts.models import Invitation, Membership
    from threadline.accounts.services import invitation_answer

    admin = make_user(org, "administrator")
    api = api_client(admin, org)
    response = api.post(
        "/api/v1/members/",
        {"email": "api@agency.example", "role": "caseworker", "password": "a-long-enough-passphrase"},
        format="json",
    )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    invitation = Invitation.objects.get(user__email="api@agency.example")
    invitation_answer(invitation=invitation, user=invitation.user, accept=True)
    member_id = Membership.objects.get(user=invitation.user, organisation=org).pk
    response = api.patch(f"/api/v1/members/{member_id}/", {"role": "supervisor"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "supervisor"
