"""Issue #19 item 13: before the second factor is confirmed, the pages offer no Home or Profile links."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return html.split('class="main-nav"')[1].split("</nav>")[0] if 'class="main-nav"' in html else ""


def test_enrolment_shows_no_home_or_profile_until_the_factor_is_confirmed(org, make_user, client):
    from threadline.accounts.middleware import SESSION_MFA

    user = make_user(org, "caseworker", email="new@agency.example")
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    page = client.get(reverse("accounts:mfa_setup")).content.decode()
    assert "Set up your second factor" in page
    assert _nav(page) == "" and reverse("accounts:profile") not in page
    assert "Sign out" in page
    secret = page.split('id="mfa-secret"')[1].split(">")[1].split("<")[0].strip()
    client.post(reverse("accounts:mfa_setup"), {"code": pyotp.TOTP(secret).now()})
    assert client.session.get(SESSION_MFA)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("accounts:profile") in _nav(home)
