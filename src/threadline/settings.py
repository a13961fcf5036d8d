"""Django settings, all read from ``THREADLINE_*`` environment variables (documented in docs/configuration.md).

Development (``THREADLINE_DEBUG=1``) gets safe local defaults. Production refuses to start without
``THREADLINE_SECRET_KEY`` and ``THREADLINE_ALLOWED_HOSTS`` instead of guessing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from threadline.process import private_umask

# Everything the application writes (database and its -wal/-shm, workspaces, uploads, exports) is private to
# its user: 0600 files, 0700 directories, whatever the entry point (gunicorn, the CLI, manage, tests).
private_umask()

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"THREADLINE_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return int(value) if value not in (None, "") else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"THREADLINE_{name} must be an integer") from exc


TESTING = "pytest" in sys.modules or env_bool("TESTING")
DEBUG = env_bool("DEBUG")
DATA_DIR = Path(env("DATA_DIR") or (Path.cwd() / "data")).resolve()

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-" + "x" * 40
    else:
        raise ImproperlyConfigured("THREADLINE_SECRET_KEY must be set when THREADLINE_DEBUG is off.")

_hosts = env("ALLOWED_HOSTS")
if _hosts:
    ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()]
elif DEBUG or TESTING:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    raise ImproperlyConfigured("THREADLINE_ALLOWED_HOSTS must be set when THREADLINE_DEBUG is off.")
# Reverse proxies in front of the app (nginx: 1). The client address is read from X-Forwarded-For behind them;
# with 0 the header is ignored. See threadline.core.client and docs/deployment.md.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("THREADLINE_TRUSTED_PROXIES must be 0 or more")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("CSRF_TRUSTED_ORIGINS") or "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "threadline.core",
    "threadline.accounts",
    "threadline.audit",
    "threadline.screening",
    "threadline.cases",
    "threadline.online",
    "threadline.insights",
    "threadline.prevention",
    "threadline.policy",
]

MIDDLEWARE = [
    "threadline.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "threadline.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "threadline.accounts.middleware.OrganisationMiddleware",
    "threadline.accounts.middleware.SecondFactorMiddleware",
    "threadline.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "threadline.urls"
WSGI_APPLICATION = "threadline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "threadline.accounts.context_processors.organisation",
            ],
        },
    }
]

# --- Database: SQLite (WAL) under the data directory, PostgreSQL when a URL is given -------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "threadline.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests use a fast hasher except where Argon2 itself is tested.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 6)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
MFA_ISSUER = env("MFA_ISSUER", "Threadline")
# Wrong second-factor codes (TOTP or recovery) per account before it waits LOGIN_LOCKOUT_MINUTES; 5x per address.
MFA_FAILURE_LIMIT = env_int("MFA_FAILURE_LIMIT", 5)
# Password reset links work once, for this long; requests per address (5x per client) per lockout period.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 30) * 60
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 3)

# --- E-mail (second-factor lock notices, password reset): printed to the console in development ----
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "threadline@localhost")

# Sessions end after inactivity; the cookie is refreshed on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers (also see core.middleware.SecurityHeadersMiddleware for CSP) ----------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: served by WhiteNoise, assets come from installed packages -----------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "media"

# --- Encryption of identifying fields -------------------------------------------------------------
# Keys: THREADLINE_ENCRYPTION_KEYS ("1:<base64>,2:<base64>") or a key file outside the database.
ENCRYPTION_KEY_FILE = env("KEY_FILE") or str(DATA_DIR / "keys.json")


# --- REST API ------------------------------------------------------------------------------------
def env_rate(name: str, default: str) -> str:
    """A throttle rate such as ``600/min`` (periods: s, min, hour, day)."""
    value = (env(name) or default).strip()
    count, _sep, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"THREADLINE_{name} must look like 600/min (a number, then /s, /min, /hour or /day)")
    return value


# Per signed-in user (all their tokens) and per anonymous client address; see core/api/throttling.py.
API_THROTTLE_RATES = {"anon": env_rate("API_RATE_ANON", "30/min"), "user": env_rate("API_RATE_USER", "600/min")}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["threadline.accounts.api.authentication.OrganisationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["threadline.core.api.permissions.RestrictedModelPermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "threadline.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "threadline.core.api.throttling.AnonymousClientThrottle",
        "threadline.core.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Threadline API",
    "DESCRIPTION": "Organisation-scoped API. Authenticate with 'Authorization: Token <key>'.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components (without read-only fields), so clients see what they may send.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "threadline.core.api.schema.document_errors",
    ],
    # One name per choice set: fields of different models named "status" or "kind" otherwise collide.
    "ENUM_NAME_OVERRIDES": {
        "ExploitationEnum": "threadline.cases.vocabulary.Exploitation",
        "NeedEnum": "threadline.cases.vocabulary.Need",
        "NoticeStatusEnum": "threadline.online.models.NoticeStatus",
        "ReferralKindEnum": "threadline.cases.models.Referral.Kind",
        "ReferralStatusEnum": "threadline.cases.models.Referral.Status",
        "ScreeningStatusEnum": "threadline.screening.models.Screening.Status",
        "ProtectionMethodEnum": "threadline.insights.models.Method",
        "PolicyStatusEnum": "threadline.policy.models.Policy.Status",
        "AssessmentStatusEnum": "threadline.policy.models.Assessment.Status",
    },
}

# --- Logging: structured JSON lines with request ids; never identifying data ----------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "threadline.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "threadline.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING" if TESTING else "INFO"},
    },
}

# --- Input limits (docs/security.md "Hardening: inputs") --------------------------------------------
MB = 1024 * 1024
#: Directory under which an ad's ``images`` field may name local files to hash; unset: no file is ever read.
ONLINE_IMAGE_ROOT = env("ONLINE_IMAGE_ROOT") or None
ONLINE_IMAGE_MAX_BYTES = env_int("ONLINE_IMAGE_MAX_MB", 20) * MB
#: Largest file accepted by each upload form (ad files and packages to verify; partner files for insights).
ONLINE_UPLOAD_MAX_BYTES = env_int("ONLINE_UPLOAD_MAX_MB", 200) * MB
INSIGHTS_UPLOAD_MAX_BYTES = env_int("INSIGHTS_UPLOAD_MAX_MB", 50) * MB
# Files above 2.5 MB go to a temporary file; the capped handler stops storing past the largest limit above.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "threadline.core.uploads.CappedUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * MB)
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * MB)  # the request body apart from files
DATA_UPLOAD_MAX_NUMBER_FILES = 10

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASK_POLL_SECONDS = float(env("TASK_POLL_SECONDS", "1.0"))
