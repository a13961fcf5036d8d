"""The shortcut past ``phonenumbers.parse`` gives exactly what the full parse gives, or leaves it to the parse."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online import extract
from threadline.engines.online.phone_shortcut import shortcut

REGIONS = ["FR", "DE", "ES", "MX", "GB", "IT", "BR", "AR", "IN", "NL", "BE", "CH", "AU", "JP", "RU", "CN", "US",
           "CA", "CO", "PE", "NG", "PH", "KR", "AT", "PL", "SE", None]  # fmt: skip
CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _same(digits: str, region: str | None) -> None:
    fast = shortcut(digits, region)
    if fast is not None:
        assert fast == extract._parse_phone(digits, region), (digits, region)
    assert extract._normalize_phone_slow.__wrapped__(digits, region) == (
        extract._parse_phone(digits, region) if 7 <= len(digits.lstrip("+")) <= 15 else None
    )


digits = st.text(alphabet="0123456789", min_size=1, max_size=14)


@st.composite
def numbers(draw) -> str:
    shape = draw(st.sampled_from(["national", "plus", "any"]))
    if shape == "national":
        return "0" + draw(st.sampled_from("0123456789")) + draw(digits)
    if shape == "plus":
        return f"+{draw(st.sampled_from(CODES))}{draw(st.sampled_from('0123456789'))}{draw(digits)}"
    return draw(st.sampled_from(["", "+"])) + draw(digits)


@given(number=numbers(), region=st.sampled_from(REGIONS))
@settings(max_examples=3000, deadline=None)
def test_shortcut_agrees_with_the_full_parse(number, region):
    _same(number, region)


@pytest.mark.parametrize("region", [r for r in REGIONS if r])
def test_example_numbers_and_their_neighbours(region):
    """Valid numbers of every type (where the shortcut answers), with digits changed one at a time."""
    rng = random.Random(region)
    for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                 phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.VOIP):  # fmt: skip
        ex = phonenumbers.example_number_for_type(region, kind)
        if ex is None:
            continue
        nsn = phonenumbers.national_significant_number(ex)
        for base in (f"+{ex.country_code}{nsn}", f"0{nsn}", nsn):
            _same(base, region)
            for _ in range(40):
                i = rng.randrange(1 if base[0] == "+" else 0, len(base))
                _same(base[:i] + str(rng.randrange(10)) + base[i + 1 :], region)


def test_shortcut_answers_the_common_shapes():
    """It is used where it matters (French national and international forms), not only declining."""
    assert shortcut("0612345678", "FR") == "+33612345678" == extract._parse_phone("0612345678", "FR")
    assert shortcut("+33612345678", None) == "+33612345678" == extract._parse_phone("+33612345678", None)
    assert shortcut("+34612345678", "US") == extract._parse_phone("+34612345678", "US")
    assert shortcut("0012345678", "FR") is None  # international prefix 00: the parse decides
