from __future__ import annotations

import time

import pyotp


def next_totp(secret: str) -> str:
    """A code for the next 30-second step: each step is accepted once, so tests never reuse one."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def sign_in(cp, email: str, password: str) -> None:
    cp.goto("/accounts/login/")
    cp.page.fill("#id_email", email)
    cp.page.fill("#id_password", password)
    cp.page.click("button[type=submit]:has-text('Sign in')")
    cp.check()


def enrol_and_verify(cp) -> str:
    """On the enrolment page: read the key, confirm with a code; returns the key."""
    secret = cp.page.inner_text("#mfa-secret").strip()
    cp.page.fill("#id_code", pyotp.TOTP(secret).now())
    cp.page.click("button:has-text('Confirm')")
    cp.check()
    return secret


def sign_in_with_mfa(cp, email: str, password: str, secret: str) -> None:
    sign_in(cp, email, password)
    cp.page.fill("#id_code", next_totp(secret))
    cp.page.click("button:has-text('Verify')")
    cp.check()
