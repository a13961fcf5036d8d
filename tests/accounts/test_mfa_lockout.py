"""Second-factor guessing is limited per account and per client, like the password, and audited."""

from __future__ import annotations

import pyotp
import pytest
from django.core import mail

from tests.conftest import PASSWORD
from threadline.accounts import services
from threadline.accounts.middleware import SESSION_MFA
from threadline.accounts.models import LoginFailure
from threadline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _enrolled(make_user, org):
    user = make_user(org, "administrator")
    device = services.mfa_device_start(user=user)
    services.mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now())
    return user, device


def _wrong(device) -> str:
    right = pyotp.TOTP(device.secret).now()
    return "000000" if right != "000000" else "111111"


def _next_code(device) -> str:
    import time

    return pyotp.TOTP(device.secret).at(int(time.time()) + 30)


def test_after_the_limit_even_the_right_code_is_refused_audited_and_the_owner_told(
    org, make_user, settings, django_capture_on_commit_callbacks
):
    settings.MFA_FAILURE_LIMIT = 3
    user, device = _enrolled(make_user, org)
    mail.outbox.clear()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.mfa_verify(user=user, code=_wrong(device), ip="203.0.113.5") is False
    with pytest.raises(services.SecondFactorLocked):
        services.mfa_verify(user=user, code=_next_code(device), ip="203.0.113.5")
    with pytest.raises(services.SecondFactorLocked):  # another address does not help: the account is locked
        services.mfa_verify(user=user, code=_next_code(device), ip="198.51.100.7")
    notes = list(AuditEntry.objects.filter(action="mfa", object_id=str(user.pk)).values_list("note", flat=True))
    assert notes.count("wrong code") == 3 and notes.count("locked out") == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert _wrong(device) not in mail.outbox[0].body and device.secret not in mail.outbox[0].body


def test_a_client_guessing_across_accounts_is_locked_by_address(org, make_user, settings):
    settings.MFA_FAILURE_LIMIT = 2
    users = [_enrolled(make_user, org) for _ in range(6)]
    for user, device in users[:5]:
        for _ in range(2):
            services.mfa_verify(user=user, code=_wrong(device), ip="203.0.113.5")
    user, device = users[5]
    with pytest.raises(services.SecondFactorLocked):
        services.mfa_verify(user=user, code=_next_code(device), ip="203.0.113.5")
    assert services.mfa_verify(user=user, code=_next_code(device), ip="198.51.100.7") is True


def test_a_fresh_password_sign_in_does_not_clear_second_factor_failures(org, make_user, settings, client):
    settings.MFA_FAILURE_LIMIT = 2
    user, device = _enrolled(make_user, org)
    for _ in range(2):
        services.mfa_verify(user=user, code=_wrong(device), ip="203.0.113.5")
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert LoginFailure.objects.filter(kind=LoginFailure.Kind.MFA).count() == 2
    with pytest.raises(services.SecondFactorLocked):
        services.mfa_verify(user=user, code=_next_code(device), ip="203.0.113.5")


def test_a_right_code_clears_the_account_failures(org, make_user, settings):
    settings.MFA_FAILURE_LIMIT = 3
    user, device = _enrolled(make_user, org)
    services.mfa_verify(user=user, code=_wrong(device), ip="203.0.113.5")
    assert services.mfa_verify(user=user, code=_next_code(device), ip="203.0.113.5") is True
    assert not LoginFailure.objects.filter(kind=LoginFailure.Kind.MFA).exists()


def test_enrolment_confirmation_is_limited_too(org, make_user, settings):
    settings.MFA_FAILURE_LIMIT = 3
    user = make_user(org, "administrator")
    device = services.mfa_device_start(user=user)
    for _ in range(3):
        assert services.mfa_device_confirm(device=device, code=_wrong(device), ip="203.0.113.5") is None
    with pytest.raises(services.SecondFactorLocked):
        services.mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now(), ip="203.0.113.5")
    device.refresh_from_db()
    assert not device.confirmed


def test_the_verify_page_stops_answering_after_the_limit(org, make_user, settings, client):
    """300 wrong codes used to be answered 'not correct' and the right code still worked."""
    settings.MFA_FAILURE_LIMIT = 5
    user, device = _enrolled(make_user, org)
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    wrong = [client.post("/accounts/mfa/verify/", {"code": _wrong(device)}) for _ in range(30)]
    assert all(r.status_code == 200 for r in wrong)
    assert "Too many wrong codes" in wrong[-1].content.decode()
    response = client.post("/accounts/mfa/verify/", {"code": _next_code(device)})
    assert response.status_code == 200 and not client.session.get(SESSION_MFA)
    assert LoginFailure.objects.filter(kind=LoginFailure.Kind.MFA).count() == 5


def test_the_enrolment_page_stops_answering_after_the_limit(org, make_user, settings, client):
    settings.MFA_FAILURE_LIMIT = 3
    user = make_user(org, "administrator")
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    client.get("/accounts/mfa/setup/")
    device = user.mfa_devices.get()
    for _ in range(4):
        response = client.post("/accounts/mfa/setup/", {"code": _wrong(device)})
    assert "Too many wrong codes" in response.content.decode()
    response = client.post("/accounts/mfa/setup/", {"code": pyotp.TOTP(device.secret).now()})
    assert response.status_code == 400 and not user.has_confirmed_mfa
