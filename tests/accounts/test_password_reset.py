"""Password reset: never says whether an account exists; links single-use and short-lived; rate-limited;
audited; the second factor is still asked for afterwards."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail

from threadline.accounts import services
from threadline.accounts.middleware import SESSION_MFA
from threadline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-passphrase-93"


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body).group(1)


def _page(response, email: str) -> str:
    """The page without what differs on every response (the CSRF token) or was typed in (the address)."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode()).replace(email, "E")


def _request(client, email, **extra):
    return client.post("/accounts/password-reset/", {"email": email}, **extra)


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(org, make_user, client):
    user = make_user(org, email="known@agency.example")
    known = _request(client, user.email)
    unknown = _request(client, "nobody@agency.example")
    assert known.status_code == unknown.status_code == 200
    assert _page(known, user.email) == _page(unknown, "nobody@agency.example")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "password-reset" in mail.outbox[0].body


def test_a_link_resets_once_and_the_second_factor_is_still_required(org, make_user, client):
    user = make_user(org, "caseworker", email="known@agency.example")
    device = services.mfa_device_start(user=user)
    services.mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now())
    _request(client, user.email)
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password(NEW) and user.has_confirmed_mfa
    assert "_auth_user_id" not in client.session, "a reset never signs in"
    # single use: the same link no longer works
    again = client.post(
        link, {"new_password1": "yet-another-passphrase-11", "new_password2": "yet-another-passphrase-11"}
    )
    assert again.status_code == 400 and "no longer valid" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW)
    # signing in with the new password still asks for the authenticator code
    client.post("/accounts/login/", {"email": user.email, "password": NEW})
    assert not client.session.get(SESSION_MFA)
    assert client.get("/")["Location"].startswith("/accounts/mfa/verify/")
    notes = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("note", flat=True))
    assert {"password reset requested", "password reset"} <= notes


def test_a_link_expires_after_thirty_minutes(org, make_user, client, monkeypatch):
    from datetime import datetime, timedelta

    from django.contrib.auth.tokens import default_token_generator

    user = make_user(org, email="known@agency.example")
    _request(client, user.email)
    link = _link(mail.outbox[0])
    monkeypatch.setattr(default_token_generator, "_now", lambda: datetime.now() + timedelta(minutes=29))
    assert client.get(link).status_code == 200
    monkeypatch.setattr(default_token_generator, "_now", lambda: datetime.now() + timedelta(minutes=31))
    assert client.get(link).status_code == 400


def test_a_tampered_link_is_refused(org, make_user, client):
    user = make_user(org, email="known@agency.example")
    _request(client, user.email)
    link = _link(mail.outbox[0])
    assert client.get(link[:-3] + "xx/").status_code == 400


def test_a_weak_new_password_is_refused_and_the_link_still_works(org, make_user, client):
    user = make_user(org, email="known@agency.example")
    _request(client, user.email)
    link = _link(mail.outbox[0])
    response = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(link).status_code == 200


def test_requests_are_rate_limited_per_address_and_per_client(org, make_user, client, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    user = make_user(org, email="known@agency.example")
    answers = [_request(client, user.email, REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)]
    assert answers == [200, 200, 429] and len(mail.outbox) == 2
    # the same limit for an address without an account: the refusal tells nothing either
    answers = [_request(client, "nobody@agency.example", REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(3)]
    assert answers == [200, 200, 429]
    # one client asking for many addresses is limited too (5x the per-address limit)
    answers = [_request(client, f"x{n}@agency.example", REMOTE_ADDR="203.0.113.9").status_code for n in range(11)]
    assert answers.count(429) == 1 and answers[-1] == 429
