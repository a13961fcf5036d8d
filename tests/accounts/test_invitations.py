"""An administrator invites by e-mail; the account holder joins only by accepting, and nothing tells the
administrator whether the address already had an account."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from threadline.accounts import services
from threadline.accounts.models import Invitation, Membership, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-7"


def _post_api(api, email, role="caseworker", password=NEW_PASSWORD):
    return api.post("/api/v1/members/", {"email": email, "role": role, "password": password}, format="json")


def test_the_api_answers_the_same_for_an_existing_and_a_new_address(org, other_org, make_user, api_client):
    admin = make_user(other_org, "administrator")
    outsider = make_user(org, "supervisor", email="known@agency.example")
    outsider.display_name = "Known Person"
    outsider.save()
    api = api_client(admin, other_org)
    existing = _post_api(api, "KNOWN@agency.example")
    new = _post_api(api, "unknown@agency.example")
    assert existing.status_code == new.status_code == 202
    assert existing.json() == {"email": "known@agency.example", "role": "caseworker", "status": "pending"}
    assert new.json() == {"email": "unknown@agency.example", "role": "caseworker", "status": "pending"}
    assert "Known Person" not in existing.content.decode()
    # nobody joined: both must accept
    assert not Membership.objects.filter(organisation=other_org).exclude(user=admin).exists()
    assert Invitation.objects.filter(organisation=other_org, status="pending").count() == 2


def test_a_weak_password_is_refused_for_an_existing_address_too(org, other_org, make_user, api_client):
    admin = make_user(other_org, "administrator")
    make_user(org, email="known@agency.example")
    api = api_client(admin, other_org)
    existing, new = (
        _post_api(api, "known@agency.example", password="short"),
        _post_api(api, "x@agency.example", password="short"),
    )
    assert existing.status_code == new.status_code == 400
    assert existing.json()["errors"].keys() == new.json()["errors"].keys() == {"password"}
    assert not Invitation.objects.exists()


def test_the_web_form_answers_the_same_and_adds_nobody(org, other_org, make_user, signed_in):
    admin = make_user(other_org, "administrator")
    make_user(org, email="known@agency.example")
    client = signed_in(admin, other_org)
    answers = []
    for email in ("known@agency.example", "unknown@agency.example"):
        form = {"email": email, "role": "caseworker", "password": NEW_PASSWORD, "display_name": ""}
        response = client.post("/accounts/members/new/", form, follow=True)
        said = [str(m).replace(email, "E") for m in response.context["messages"]]
        answers.append((response.redirect_chain, response.status_code, said))
    assert answers[0] == answers[1] and answers[0][2]
    assert set(Membership.objects.filter(organisation=other_org).values_list("user__email", flat=True)) == {admin.email}


def test_the_invited_account_holder_accepts_after_signing_in(org, other_org, make_user, signed_in):
    admin = make_user(other_org, "administrator")
    user = make_user(org, "caseworker", email="known@agency.example")
    invitation = services.member_invite(
        organisation=other_org, email=user.email, role="supervisor", password=NEW_PASSWORD, invited_by=admin
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD), "an invitation never changes an existing password"
    client = signed_in(user, org)
    page = client.get("/accounts/invitations/")
    assert other_org.name in page.content.decode()
    response = client.post(f"/accounts/invitations/{invitation.pk}/", {"decision": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=other_org).role == "supervisor"
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.responded_at


def test_declining_adds_nothing_and_a_stranger_cannot_answer(org, other_org, make_user, signed_in, client):
    admin = make_user(other_org, "administrator")
    user = make_user(org, email="known@agency.example")
    invitation = services.member_invite(
        organisation=other_org, email=user.email, role="caseworker", password=NEW_PASSWORD, invited_by=admin
    )
    stranger = make_user(org)
    assert (
        signed_in(stranger, org).post(f"/accounts/invitations/{invitation.pk}/", {"decision": "accept"}).status_code
        == 404
    )
    client.logout()
    signed_in(user, org).post(f"/accounts/invitations/{invitation.pk}/", {"decision": "decline"})
    assert not Membership.objects.filter(organisation=other_org, user=user).exists()
    invitation.refresh_from_db()
    assert invitation.status == "declined"


def test_a_new_address_gets_an_account_that_joins_on_acceptance(other_org, make_user, client):
    admin = make_user(other_org, "administrator")
    invitation = services.member_invite(
        organisation=other_org, email="new@agency.example", role="caseworker", password=NEW_PASSWORD, invited_by=admin
    )
    user = User.objects.get(email="new@agency.example")
    assert user.check_password(NEW_PASSWORD) and not user.memberships.exists()
    response = client.post("/accounts/login/", {"email": user.email, "password": NEW_PASSWORD})
    assert response["Location"] == "/accounts/invitations/"
    client.post(f"/accounts/invitations/{invitation.pk}/", {"decision": "accept"})
    assert Membership.objects.filter(user=user, organisation=other_org, is_active=True).exists()


def test_an_answered_invitation_cannot_be_answered_again(org, other_org, make_user):
    admin = make_user(other_org, "administrator")
    user = make_user(org)
    invitation = services.member_invite(
        organisation=other_org, email=user.email, role="caseworker", password=NEW_PASSWORD, invited_by=admin
    )
    services.invitation_answer(invitation=invitation, user=user, accept=False)
    with pytest.raises(Invitation.DoesNotExist):
        services.invitation_answer(invitation=invitation, user=user, accept=True)
    assert not Membership.objects.filter(organisation=other_org, user=user).exists()


def test_the_address_is_told_of_the_invitation_without_a_password(
    org, other_org, make_user, django_capture_on_commit_callbacks
):
    from django.core import mail

    admin = make_user(other_org, "administrator")
    user = make_user(org, email="known@agency.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(
            organisation=other_org, email=user.email, role="caseworker", password=NEW_PASSWORD, invited_by=admin
        )
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert other_org.name in mail.outbox[0].subject and NEW_PASSWORD not in mail.outbox[0].body
