"""Account services: organisations, users, memberships, sign-in throttling, second factor, API tokens.

Keyword-only, atomic where they write. Views, the API and the CLI call these; none of them write models.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from threadline.accounts.models import (
    ApiToken,
    Invitation,
    LoginFailure,
    Membership,
    MFADevice,
    Organisation,
    RecoveryCode,
    User,
)
from threadline.audit.services import audit_record
from threadline.core.client import client_ip
from threadline.core.permissions import forget_roles
from threadline.core.roles import ROLES
from threadline.core.validators import validate_country_code

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOKEN_PREFIX = "tl"  # noqa: S105 - a label, not a secret
TOKEN_MAX_DAYS = 365  # every token expires: the web form, the CLI and the API share this bound


# --- Organisations and users ---------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, name: str, country: str = "", slug: str | None = None) -> Organisation:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    slug = slug or slugify(name)[:60] or "org"
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    base, n = slug, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}"[:60], n + 1
    country = country.strip().upper()
    try:
        validate_country_code(country)
    except ValidationError as exc:
        raise ValidationError({"country": exc.messages}) from None
    return Organisation.objects.create(name=name, slug=slug, country=country)


@transaction.atomic
def user_create(*, email: str, password: str, organisation: Organisation, role: str, display_name: str = "") -> User:
    """Create a user (or add an existing one to the organisation) with a role.

    For the platform operator (the CLI) only: administrators invite with ``member_invite`` instead, so that
    nobody is added to an organisation without accepting and no address can be probed.
    """
    if role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        candidate = User(email=email, display_name=display_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user = User.objects.create_user(email=email, password=password, display_name=display_name)
    membership_set(user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def member_invite(
    *, organisation: Organisation, email: str, role: str, password: str, invited_by: User | None, display_name: str = ""
) -> Invitation | None:
    """Invite an address into the organisation; the account holder joins only by accepting after signing in.

    Answers the same whether or not the address has an account, so an administrator cannot probe for
    accounts: the password is checked either way; a new address gets an account with it (and no membership
    until it accepts); an existing account keeps its own password and name. Returns None when the address is
    already an active member (nothing to do).
    """
    if role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    email = User.objects.normalize_email(email).strip().lower()
    try:
        validate_password(password, user=User(email=email, display_name=display_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, display_name=display_name)
    else:
        make_password(password)  # the same hashing work as for a new account: timing tells nothing either
    if Membership.objects.filter(user=user, organisation=organisation, is_active=True).exists():
        return None
    invitation = Invitation.objects.filter(
        user=user, organisation=organisation, status=Invitation.Status.PENDING
    ).first()
    if invitation is None:
        invitation = Invitation(user=user, organisation=organisation)
    invitation.role = role
    invitation.invited_by = invited_by
    invitation.save()
    transaction.on_commit(lambda: _invitation_notify(invitation))
    return invitation


def _invitation_notify(invitation: Invitation) -> None:
    """Tell the address it has an invitation to answer after signing in (never a password or a link that acts)."""
    user = invitation.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"organisation": invitation.organisation.name, "role": invitation.get_role_display()}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    _send(subject, body, user, "invitation notice not sent")


@transaction.atomic
def invitation_answer(*, invitation: Invitation, user: User, accept: bool) -> Invitation:
    """The invited account holder accepts (and becomes a member with the offered role) or declines.

    Raises Invitation.DoesNotExist for someone else's invitation or one already answered.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation.pk, user=user, status=Invitation.Status.PENDING)
        .select_related("organisation")
        .get()
    )
    if accept:
        membership_set(user=user, organisation=invitation.organisation, role=invitation.role)
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save()
    return invitation


def invitations_pending(*, user: User):
    return Invitation.objects.filter(
        user=user, status=Invitation.Status.PENDING, organisation__is_active=True
    ).select_related("organisation")


@transaction.atomic
def membership_set(*, user: User, organisation: Organisation, role: str, is_active: bool = True) -> Membership:
    if role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.role = role
    membership.is_active = is_active
    membership.save()
    forget_roles(user)
    return membership


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Sign-in throttling --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked: bool = False


def _recent_failures(kind: str, account_hash: str, ip: str | None) -> tuple[int, int]:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(kind=kind, at__gte=since)
    by_account = recent.filter(account_hash=account_hash).count()
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    return by_account, by_ip


def sign_in_check(*, request, email: str, password: str) -> SignInResult:
    """Authenticate with lockout: after LOGIN_FAILURE_LIMIT failures the account (or address) waits."""
    account_hash = LoginFailure.hash_account(email)
    ip = client_ip(request)
    by_account, by_ip = _recent_failures(LoginFailure.Kind.PASSWORD, account_hash, ip)
    limit = settings.LOGIN_FAILURE_LIMIT
    if by_account >= limit or by_ip >= limit * 5:
        audit_record(action="login_failed", object_type="accounts.user", note="locked out")
        return SignInResult(None, locked=True)
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None:
        LoginFailure.objects.create(account_hash=account_hash, ip_address=ip)
        audit_record(action="login_failed", object_type="accounts.user")
        return SignInResult(None, locked=by_account + 1 >= limit)
    LoginFailure.objects.filter(kind=LoginFailure.Kind.PASSWORD, account_hash=account_hash).delete()
    return SignInResult(user)


def login_failures_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


# --- Second factor -------------------------------------------------------------------------------


@transaction.atomic
def mfa_device_start(*, user: User) -> MFADevice:
    """Start TOTP enrolment: an unconfirmed device with a fresh secret (replacing earlier unconfirmed ones)."""
    user.mfa_devices.filter(confirmed=False).delete()
    return MFADevice.objects.create(user=user, secret=pyotp.random_base32())


def mfa_provisioning_uri(device: MFADevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email, issuer_name=settings.MFA_ISSUER)


def _totp_step_matching(device: MFADevice, code: str) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=30 * drift)
        if hmac.compare_digest(totp.at(at), code):
            return int(at.timestamp()) // 30
    return None


class SecondFactorLocked(Exception):
    """Too many wrong codes for this account (or from this address): no code is checked until the lockout ends."""


def _mfa_audit(user: User, note: str) -> None:
    audit_record(action="mfa", object_type="accounts.user", object_id=str(user.pk), note=note)


def _mfa_lock_state(user: User, ip: str | None) -> tuple[bool, bool]:
    """(locked, locked by this account's own failures) under MFA_FAILURE_LIMIT per account, 5x per address."""
    by_account, by_ip = _recent_failures(LoginFailure.Kind.MFA, LoginFailure.hash_account(user.email), ip)
    limit = settings.MFA_FAILURE_LIMIT
    return by_account >= limit or by_ip >= limit * 5, by_account >= limit


@contextmanager
def _mfa_attempt(user: User, ip: str | None) -> Iterator[Callable[[bool], None]]:
    """One guarded code check: refused while locked; ``done(ok)`` counts a wrong code or clears the account.

    The user's row is locked for the check, so parallel guesses are counted one after another, not all
    against the same count.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        locked, _own = _mfa_lock_state(user, ip)
        if not locked:
            outcome: list[bool] = []
            yield outcome.append
            account_hash = LoginFailure.hash_account(user.email)
            if outcome and outcome[0]:
                LoginFailure.objects.filter(kind=LoginFailure.Kind.MFA, account_hash=account_hash).delete()
                return
            LoginFailure.objects.create(kind=LoginFailure.Kind.MFA, account_hash=account_hash, ip_address=ip)
            _mfa_audit(user, "wrong code")
            _now_locked, own = _mfa_lock_state(user, ip)
            if own:
                transaction.on_commit(lambda: _mfa_lock_notify(user))
            return
    _mfa_audit(user, "locked out")
    raise SecondFactorLocked


def _mfa_lock_notify(user: User) -> None:
    """Tell the account's owner: whoever tried knew the password."""
    context = {"minutes": settings.LOGIN_LOCKOUT_MINUTES, "attempts": settings.MFA_FAILURE_LIMIT}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/mfa_locked_subject.txt", context).strip()
        body = render_to_string("accounts/email/mfa_locked_body.txt", context)
    _send(subject, body, user, "second-factor lock notice not sent")


def mfa_device_confirm(*, device: MFADevice, code: str, ip: str | None = None) -> list[str] | None:
    """Confirm enrolment with a first code; returns fresh recovery codes, or None if the code is wrong.

    Raises SecondFactorLocked after too many wrong codes, like ``mfa_verify``.
    """
    with _mfa_attempt(device.user, ip) as done:
        step = _totp_step_matching(device, code)
        done(step is not None)
        if step is None:
            return None
        device.confirmed = True
        device.last_used_step = step
        device.save()
        device.user.mfa_devices.exclude(pk=device.pk).delete()
        _mfa_audit(device.user, "enrolled")
        return recovery_codes_regenerate(user=device.user)


def mfa_verify(*, user: User, code: str, ip: str | None = None) -> bool:
    """Check a TOTP code (each time step usable once) or a recovery code (usable once).

    After MFA_FAILURE_LIMIT wrong codes for the account (or five times that from one address) within
    LOGIN_LOCKOUT_MINUTES, raises SecondFactorLocked without checking the code; the owner is e-mailed once.
    """
    with _mfa_attempt(user, ip) as done:
        ok = _mfa_code_accepted(user, code)
        done(ok)
        return ok


def _mfa_code_accepted(user: User, code: str) -> bool:
    device = user.mfa_devices.select_for_update().filter(confirmed=True).first()
    if device is not None:
        step = _totp_step_matching(device, code)
        if step is not None and step > device.last_used_step:
            MFADevice.objects.filter(pk=device.pk).update(last_used_step=step)
            _mfa_audit(user, "verified")
            return True
    code_hash = RecoveryCode.hash_code(code)
    for recovery in user.recovery_codes.filter(used_at__isnull=True):
        if hmac.compare_digest(recovery.code_hash, code_hash):
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            _mfa_audit(user, "recovery code used")
            return True
    return False


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    user.recovery_codes.all().delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        RecoveryCode.objects.create(user=user, code_hash=RecoveryCode.hash_code(code))
    return codes


# --- Password reset ------------------------------------------------------------------------------


class ResetLimited(Exception):
    """Too many reset requests for this address or from this client (counted whether or not it has an account)."""


def password_reset_request(*, email: str, ip: str | None, link_for: Callable[[str, str], str]) -> None:
    """E-mail a reset link if an active account has this address; otherwise do nothing, visibly the same.

    ``link_for(uidb64, token)`` builds the absolute link. Requests are counted per address (hashed, whether or
    not it has an account, so a refusal tells nothing) and per client: over PASSWORD_RESET_LIMIT per address,
    or five times that per client, within LOGIN_LOCKOUT_MINUTES raises ResetLimited.
    """
    account_hash = LoginFailure.hash_account(email)
    by_account, by_ip = _recent_failures(LoginFailure.Kind.RESET, account_hash, ip)
    limit = settings.PASSWORD_RESET_LIMIT
    if by_account >= limit or by_ip >= limit * 5:
        audit_record(action="login_failed", object_type="accounts.user", note="password reset refused: too many")
        raise ResetLimited
    LoginFailure.objects.create(kind=LoginFailure.Kind.RESET, account_hash=account_hash, ip_address=ip)
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None or not user.has_usable_password():
        audit_record(action="login_failed", object_type="accounts.user", note="password reset for no account")
        return
    audit_record(action="update", object_type="accounts.user", object_id=str(user.pk), note="password reset requested")
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    context = {"link": link_for(uidb64, default_token_generator.make_token(user)), "minutes": reset_minutes()}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/password_reset_subject.txt", context).strip()
        body = render_to_string("accounts/email/password_reset_body.txt", context)
    _send(subject, body, user, "password reset link not sent")


def reset_minutes() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 60


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The account a reset link is for, if the link is genuine, unexpired and unused (else None).

    Django's token hashes the current password and last sign-in: setting a password spends it.
    """
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> None:
    """Set the new password (already validated by the form). The second factor stays as it was; other
    sessions end (their session hash no longer matches); the account's password lockout is cleared."""
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginFailure.objects.filter(
        kind=LoginFailure.Kind.PASSWORD, account_hash=LoginFailure.hash_account(user.email)
    ).delete()
    audit_record(action="update", object_type="accounts.user", object_id=str(user.pk), fields=["password"],
                 note="password reset", actor=user)  # fmt: skip


def _send(subject: str, body: str, user: User, failure: str) -> None:
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning(failure, extra={"error": type(exc).__name__})


# --- API tokens ----------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, organisation: Organisation, name: str, expires_in_days: int = 90
) -> tuple[ApiToken, str]:
    """Create a token that expires after 1 to TOKEN_MAX_DAYS days; the full key is returned once, never stored."""
    if (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not 1 <= expires_in_days <= TOKEN_MAX_DAYS
    ):
        raise ValidationError(
            {"expires_in_days": _("A token expires after 1 to %(max)d days.") % {"max": TOKEN_MAX_DAYS}}
        )
    if not Membership.objects.filter(user=user, organisation=organisation, is_active=True).exists():
        raise ValidationError({"organisation": _("The user is not a member of this organisation.")})
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days)
    token = ApiToken.objects.create(
        user=user,
        organisation=organisation,
        name=name or "API token",
        prefix=prefix,
        key_hash=_hash_secret(secret),
        expires_at=expires,
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_authenticate(key: str) -> ApiToken | None:
    try:
        label, prefix, secret = key.split("_", 2)
    except ValueError:
        return None
    if label != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash_secret(secret)):
        return None
    if not token.is_usable or not token.user.is_active or not token.organisation.is_active:
        return None
    if not Membership.objects.filter(user=token.user, organisation=token.organisation, is_active=True).exists():
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save()
    return token
