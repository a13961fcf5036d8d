"""Password reset in a real browser: ask, follow the e-mailed link once, sign in with the new password and the
authenticator code."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail

from tests.browser.helpers import next_totp, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "a-brand-new-passphrase-93"


def test_reset_password_then_sign_in_with_the_second_factor(checked_page, org, make_user):
    from threadline.accounts import services

    user = make_user(org, "caseworker", email="reset@harbour.example")
    device = services.mfa_device_start(user=user)
    services.mfa_device_confirm(device=device, code=pyotp.TOTP(device.secret).now())
    mail.outbox.clear()
    cp = checked_page

    cp.goto("/accounts/login/")
    cp.page.click("a:has-text('Forgot your password?')")
    cp.check()
    cp.page.fill("#id_email", user.email)
    cp.page.click("button:has-text('Send the link')")
    cp.check()
    assert cp.page.locator("h1").inner_text() == "Check your email"

    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    cp.goto("/" + path)
    cp.page.fill("#id_new_password1", NEW)
    cp.page.fill("#id_new_password2", NEW)
    cp.page.click("button:has-text('Change the password')")
    cp.check()
    assert "/accounts/login/" in cp.page.url

    # the link was spent
    response = cp.goto("/" + path)
    assert response.status == 400 and cp.page.locator("h1").inner_text() == "Reset link not valid"

    # the old password no longer works; the new one still needs the authenticator code
    sign_in(cp, user.email, PASSWORD)
    assert "not correct" in cp.page.locator(".form-errors").inner_text()
    sign_in(cp, user.email, NEW)
    assert "/accounts/mfa/verify/" in cp.page.url
    cp.page.fill("#id_code", next_totp(device.secret))
    cp.page.click("button:has-text('Verify')")
    cp.check()
    assert cp.page.locator("h1").inner_text() == org.name
