"""System checks that keep a deployment honest."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_keys_check(app_configs, **kwargs):
    from threadline.core.crypto import KeyringError, get_keyring

    try:
        get_keyring()
    except KeyringError as exc:
        return [Error(str(exc), id="threadline.E001")]
    return []


@register(Tags.security, deploy=True)
def sqlite_in_production_check(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3") and not settings.DEBUG:
        return [
            Warning(
                "SQLite is meant for a single small deployment; use PostgreSQL for several users.",
                hint="Set THREADLINE_DATABASE_URL=postgresql://...",
                id="threadline.W001",
            )
        ]
    return []
