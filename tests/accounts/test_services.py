from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from tests.conftest import PASSWORD
from threadline.accounts import services
from threadline.accounts.models import LoginFailure, Membership, MFADevice, User

pytestmark = pytest.mark.django_db


def test_organisation_names_are_unique_and_slugs_derived(make_org):
    org = services.organisation_create(name="Harbour Outreach", country="gb")
    assert org.slug == "harbour-outreach" and org.country == "GB"
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(name="harbour outreach")
    assert "name" in exc.value.message_dict


def test_weak_password_is_a_field_error_and_nothing_is_saved(org):
    with pytest.raises(ValidationError) as exc:
        services.user_create(email="weak@agency.example", password="short", organisation=org, role="caseworker")
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(email="weak@agency.example").exists()
    assert not Membership.objects.filter(organisation=org).exists()


def test_unknown_role_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        services.user_create(email="x@agency.example", password=PASSWORD, organisation=org, role="superhero")
    assert "role" in exc.value.message_dict
    assert not User.objects.filter(email="x@agency.example").exists()


def test_existing_user_joins_a_second_organisation(org, other_org, make_user):
    user = make_user(org, "caseworker", email="both@agency.example")
    again = services.user_create(
        email="BOTH@agency.example", password=PASSWORD, organisation=other_org, role="supervisor"
    )
    assert again.pk == user.pk
    assert set(user.memberships.values_list("role", flat=True)) == {"caseworker", "supervisor"}


def test_passwords_are_hashed_with_argon2(org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.user_create(email="argon@agency.example", password=PASSWORD, organisation=org, role="auditor")
    assert user.password.startswith("argon2$")


def test_lockout_after_repeated_failures_even_with_the_right_password(org, make_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = make_user(org)
    request = RequestFactory().post("/accounts/login/")
    for _ in range(3):
        assert services.sign_in_check(request=request, email=user.email, password="wrong").user is None
    result = services.sign_in_check(request=request, email=user.email, password=PASSWORD)
    assert result.user is None and result.locked
    assert LoginFailure.objects.filter(account_hash=LoginFailure.hash_account(user.email)).count() == 3
    # the failure records hold a hash, never the address
    assert not LoginFailure.objects.filter(account_hash__contains="@").exists()


def test_successful_sign_in_clears_failures(org, make_user):
    user = make_user(org)
    request = RequestFactory().post("/accounts/login/")
    services.sign_in_check(request=request, email=user.email, password="wrong")
    assert services.sign_in_check(request=request, email=user.email.upper(), password=PASSWORD).user == user
    assert not LoginFailure.objects.exists()


def test_totp_enrolment_verification_and_replay_protection(org, make_user):
    user = make_user(org)
    device = services.mfa_device_start(user=user)
    assert services.mfa_device_confirm(device=device, code="000000") is None or device.confirmed
    codes = services.mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now())
    assert codes is not None and len(codes) == 10
    next_code = pyotp.TOTP(device.secret).at(time.time() + 30)
    assert services.mfa_verify(user=user, code=next_code)
    assert not services.mfa_verify(user=user, code=next_code), "a code is accepted once"


def test_recovery_codes_work_once(org, make_user):
    user = make_user(org)
    device = services.mfa_device_start(user=user)
    codes = services.mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now())
    assert services.mfa_verify(user=user, code=codes[0].upper())
    assert not services.mfa_verify(user=user, code=codes[0])
    assert user.recovery_codes.filter(used_at__isnull=True).count() == 9


def test_totp_secret_is_encrypted_at_rest(org, make_user):
    from django.db import connection

    user = make_user(org)
    device = services.mfa_device_start(user=user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_mfadevice WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("tl1:1:") and device.secret not in stored
    assert MFADevice.objects.get(pk=device.pk).secret == device.secret


def test_tokens_are_scoped_revocable_and_stored_as_hashes(org, other_org, make_user):
    user = make_user(org)
    token, key = services.token_create(user=user, organisation=org, name="sync")
    assert key not in token.key_hash and token.prefix in key
    assert services.token_authenticate(key).organisation == org
    assert services.token_authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    with pytest.raises(ValidationError):
        services.token_create(user=user, organisation=other_org, name="not a member")
    services.token_revoke(token=token)
    assert services.token_authenticate(key) is None


def test_token_stops_working_when_membership_ends(org, make_user):
    user = make_user(org)
    _token, key = services.token_create(user=user, organisation=org, name="sync")
    services.membership_set(user=user, organisation=org, role="caseworker", is_active=False)
    assert services.token_authenticate(key) is None


@pytest.mark.parametrize("days", [0, -1, 366, None])
def test_token_expiry_out_of_range_is_refused(org, make_user, days):
    user = make_user(org)
    with pytest.raises(ValidationError) as exc:
        services.token_create(user=user, organisation=org, name="sync", expires_in_days=days)
    assert "expires_in_days" in exc.value.message_dict
    assert not user.api_tokens.exists()


@pytest.mark.parametrize("days", [1, 365])
def test_token_expiry_within_range_is_kept(org, make_user, days):
    user = make_user(org)
    token, _key = services.token_create(user=user, organisation=org, name="sync", expires_in_days=days)
    remaining = token.expires_at - token.created_at
    assert timedelta(days=days) - timedelta(minutes=1) < remaining <= timedelta(days=days)


@pytest.mark.parametrize("proxies", [1, 2])
def test_lockout_behind_the_proxy_keys_on_each_client_not_the_proxy(org, make_user, settings, proxies):
    """Behind nginx on 127.0.0.1 every request has the same REMOTE_ADDR; one client's failures lock only it."""
    settings.TRUSTED_PROXIES = proxies
    settings.LOGIN_FAILURE_LIMIT = 2
    user = make_user(org)
    chain = ", 10.0.0.1" if proxies == 2 else ""
    attacker = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.5{chain}"
    )
    for n in range(12):
        services.sign_in_check(request=attacker, email=f"nobody{n}@agency.example", password="wrong")
    assert services.sign_in_check(request=attacker, email="nobody@agency.example", password="wrong").locked
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    colleague = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.7{chain}"
    )
    assert services.sign_in_check(request=colleague, email=user.email, password=PASSWORD).user == user
