from __future__ import annotations

import re
from pathlib import Path

import pytest

import threadline

pytestmark = pytest.mark.django_db


def test_health_endpoint(client):
    response = client.get("/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_security_headers_and_request_id(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-1234567890")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"] == "lb-1234567890"
    assert len(client.get("/health/", HTTP_X_REQUEST_ID="<bad>")["X-Request-ID"]) == 32


def test_templates_have_no_inline_scripts_styles_or_cdn():
    root = Path(threadline.__file__).parent
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline script in {template}"
        assert " style=" not in text and "<style" not in text, f"inline style in {template}"
        assert not re.search(r"(src|href)=\"https?://", text), f"external asset in {template}"
        assert " onclick=" not in text and " onchange=" not in text, f"inline handler in {template}"


def test_signed_in_user_without_second_factor_must_enrol(client, org, make_user):
    user = make_user(org, "caseworker")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/setup/"
    assert client.get("/accounts/profile/")["Location"] == "/accounts/mfa/setup/"


def test_enrolled_user_must_verify_before_anything_else(client, org, make_user):
    import pyotp

    from threadline.accounts.services import mfa_device_confirm, mfa_device_start

    user = make_user(org, "administrator")
    device = mfa_device_start(user=user)
    mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now())
    client.force_login(user)
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/verify/")
    # a password alone cannot replace the enrolled factor
    assert client.get("/accounts/mfa/setup/")["Location"].startswith("/accounts/mfa/verify/")


def test_sign_in_form_errors_are_per_field(client):
    response = client.post("/accounts/login/", {"email": "not-an-email", "password": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "password"}


def test_member_create_with_bad_input_saves_nothing(org, make_user, signed_in):
    from threadline.accounts.models import User

    admin = make_user(org, "administrator")
    client = signed_in(admin, org)
    response = client.post(
        "/accounts/members/new/", {"email": "new@agency.example", "role": "caseworker", "password": "short"}
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="new@agency.example").exists()


def test_administrator_cannot_demote_themselves(org, make_user, signed_in):
    from threadline.accounts.models import Membership

    admin = make_user(org, "administrator")
    own = Membership.objects.get(user=admin, organisation=org)
    client = signed_in(admin, org)
    response = client.post(f"/accounts/members/{own.pk}/", {"role": "caseworker", "is_active": "on"})
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.role == "administrator"


def test_language_choice_is_remembered_on_the_profile(org, make_user, signed_in):
    user = make_user(org)
    client = signed_in(user, org)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ar"
    page = client.get("/accounts/profile/")
    assert 'dir="rtl"' in page.content.decode()


def test_denied_access_is_audited(org, make_user, signed_in):
    from threadline.audit.models import AuditEntry

    user = make_user(org, "caseworker")
    signed_in(user, org).get("/audit/")
    assert AuditEntry.objects.filter(action="denied", actor_id=user.pk).exists()


def test_staff_pages_are_never_cached(org, make_user, signed_in):
    user = make_user(org)
    assert signed_in(user, org).get("/")["Cache-Control"] == "no-store"
