"""A shortcut past ``phonenumbers.parse`` for the two commonest shapes of a number found in an ad.

``phonenumbers.parse`` is most of the cost of checking a number outside North America (about four fifths of
it). For digits that are either ``+`` and a country code and the national number, or (with a region) the
national prefix ``0`` and the national number, what ``parse`` would do can be decided from the region's
metadata: the shortcut builds the same ``PhoneNumber`` and asks ``phonenumbers.is_valid_number`` as before.
It answers only when every step of ``parse`` is certain to be the plain one (no international prefix, no
national prefix left to strip or a plain ``0``, no leading zero kept, no prefix transformation) *and* the
number is valid; anything else goes to the full parse, so a shortcut never turns a number down.
``tests/engines/online/test_phone_shortcut.py`` compares it with the full parse.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, region_code_for_country_code


@lru_cache(maxsize=512)
def _national_rules(region: str):
    """(country code, international prefix, general pattern) where the national prefix is a plain ``0``."""
    md = PhoneMetadata.metadata_for_region(region)
    if md is None or md.national_prefix_for_parsing != "0" or md.national_prefix_transform_rule:
        return None
    general = md.general_desc.national_number_pattern if md.general_desc else None
    if not general or not md.international_prefix:
        return None
    return md.country_code, re.compile(md.international_prefix), re.compile(general)


@lru_cache(maxsize=512)
def _plus_rules(cc: int):
    """The national prefix pattern of the country code's main region (None: no prefix), or False: no shortcut."""
    md = PhoneMetadata.metadata_for_region_or_calling_code(cc, region_code_for_country_code(cc))
    if md is None:
        return False
    npfp = md.national_prefix_for_parsing
    return re.compile(npfp) if npfp else None


def shortcut(digits: str, region: str | None) -> str | None:
    """The E.164 form of ``digits`` when the shortcut applies and the number is valid, else None (then the
    full parse decides). ``digits``: ASCII digits, optionally after one ``+``; ``region`` as for ``parse``."""
    if digits.startswith("+"):
        number = digits[1:]
        if len(number) <= 2 or number[0] == "0" or not number.isdigit():
            return None
        for i in (1, 2, 3):  # the country code as parse reads it: the first known prefix
            cc = int(number[:i])
            if cc in COUNTRY_CODE_TO_REGION_CODE:
                break
        else:
            return None
        nsn = number[i:]
        prefix = _plus_rules(cc)
        if prefix is False or len(nsn) < 2 or nsn[0] == "0" or (prefix is not None and prefix.match(nsn)):
            return None
    else:
        rules = _national_rules(region or "US")
        if rules is None or len(digits) < 3 or digits[0] != "0" or digits[1] == "0" or not digits.isdigit():
            return None
        cc, international, general = rules
        nsn = digits[1:]
        if international.match(digits) or (general.fullmatch(digits) and not general.fullmatch(nsn)):
            return None  # parse would read an international prefix, or keep the 0 as part of the number
    if not phonenumbers.is_valid_number(PhoneNumber(country_code=cc, national_number=int(nsn))):
        return None
    return f"+{cc}{nsn}"
