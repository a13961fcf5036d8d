"""Account services: organisations, users, memberships, sign-in throttling, second factor, API tokens.

Keyword-only, atomic where they write. Views, the API and the CLI call these; none of them write models.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from threadline.accounts.models import (
    ApiToken,
    LoginFailure,
    Membership,
    MFADevice,
    Organisation,
    RecoveryCode,
    User,
)
from threadline.accounts.permissions import forget_roles
from threadline.accounts.roles import ROLES
from threadline.audit.services import audit_record
from threadline.core.validators import validate_country_code

RECOVERY_CODE_COUNT = 10
TOKEN_PREFIX = "tl"  # noqa: S105 - a label, not a secret


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
    """Create a user (or add an existing one to the organisation) with a role."""
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


def _recent_failures(account_hash: str, ip: str | None):
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    by_account = LoginFailure.objects.filter(account_hash=account_hash, at__gte=since).count()
    by_ip = LoginFailure.objects.filter(ip_address=ip, at__gte=since).count() if ip else 0
    return by_account, by_ip


def sign_in_check(*, request, email: str, password: str) -> SignInResult:
    """Authenticate with lockout: after LOGIN_FAILURE_LIMIT failures the account (or address) waits."""
    account_hash = LoginFailure.hash_account(email)
    ip = request.META.get("REMOTE_ADDR")
    by_account, by_ip = _recent_failures(account_hash, ip)
    limit = settings.LOGIN_FAILURE_LIMIT
    if by_account >= limit or by_ip >= limit * 5:
        audit_record(action="login_failed", object_type="accounts.user", note="locked out")
        return SignInResult(None, locked=True)
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None:
        LoginFailure.objects.create(account_hash=account_hash, ip_address=ip)
        audit_record(action="login_failed", object_type="accounts.user")
        return SignInResult(None, locked=by_account + 1 >= limit)
    LoginFailure.objects.filter(account_hash=account_hash).delete()
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


@transaction.atomic
def mfa_device_confirm(*, device: MFADevice, code: str) -> list[str] | None:
    """Confirm enrolment with a first code; returns fresh recovery codes, or None if the code is wrong."""
    step = _totp_step_matching(device, code)
    if step is None:
        return None
    device.confirmed = True
    device.last_used_step = step
    device.save()
    device.user.mfa_devices.exclude(pk=device.pk).delete()
    audit_record(action="mfa", object_type="accounts.user", object_id=str(device.user_id), note="enrolled")
    return recovery_codes_regenerate(user=device.user)


@transaction.atomic
def mfa_verify(*, user: User, code: str) -> bool:
    """Check a TOTP code (each time step usable once) or a recovery code (usable once)."""
    device = user.mfa_devices.select_for_update().filter(confirmed=True).first()
    if device is not None:
        step = _totp_step_matching(device, code)
        if step is not None and step > device.last_used_step:
            MFADevice.objects.filter(pk=device.pk).update(last_used_step=step)
            audit_record(action="mfa", object_type="accounts.user", object_id=str(user.pk), note="verified")
            return True
    code_hash = RecoveryCode.hash_code(code)
    for recovery in user.recovery_codes.filter(used_at__isnull=True):
        if hmac.compare_digest(recovery.code_hash, code_hash):
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            audit_record(action="mfa", object_type="accounts.user", object_id=str(user.pk), note="recovery code used")
            return True
    audit_record(action="mfa", object_type="accounts.user", object_id=str(user.pk), note="wrong code")
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


# --- API tokens ----------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, organisation: Organisation, name: str, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a token; the full key is returned once and never stored."""
    if not Membership.objects.filter(user=user, organisation=organisation, is_active=True).exists():
        raise ValidationError({"organisation": _("The user is not a member of this organisation.")})
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
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
