"""The phone finder against ``phonenumbers.PhoneNumberMatcher`` at ``Leniency.VALID``.

The matcher's documented behaviour is the reference for plain digits: dates written with slashes, times and
timestamps, prices and percentages (a currency sign or % right next to the digits) and digit runs joined by ``+``
are not phones; a number in any usual format is, and one text may hold several. The cases below are written
for this project from that behaviour. The finder deliberately goes further on obfuscation (number words, letter
O, commas and other separators, digits glued to a word) and drops a stray trailing group; those differences are
pinned at the end, as are dates with dots or dashes, which the matcher takes for a seven-digit number.
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from threadline.engines.online.extract import find_phones
from threadline.engines.online.normalize import fold


def matcher(text: str, region: str = "US") -> set[str]:
    return {
        phonenumbers.format_number(m.number, PhoneNumberFormat.E164)
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)
    }


def finder(text: str, region: str = "US") -> set[str]:
    return {h.value for h in find_phones(fold(text), region)}


AGREED = [
    # dates, times and timestamps
    ("born 3/10/1984", set()),
    ("3/10/1984", set()),
    ("12/25/2023 and 01/01/2024", set()),
    ("on 2012-04-30 10:30", set()),
    ("1984/10/03", set()),
    ("from 10:00 to 22:00", set()),
    ("2023-12-25 650-253-1234", {"+16502531234"}),
    ("650-253-1234 until 3/10/1984", {"+16502531234"}),
    ("3/10/1984; (650) 253-1234", {"+16502531234"}),
    # prices and shares
    ("price $650 253 1234", set()),
    ("$6502531234", set()),
    ("6502531234$", set()),
    ("650 253 1234%", set()),
    ("€6502531234", set()),
    ("$100-$200", set()),
    ("€ 650 253 1234", {"+16502531234"}),
    ("650 253 1234 USD", {"+16502531234"}),
    # ranges
    ("rates 200-300 350-400 per hour", set()),
    ("1234 - 5678 - 9012", set()),
    ("5551234567 - 5551234568", set()),
    # digits joined by +
    ("650+253+1234", set()),
    ("call 650+253+1234", set()),
    ("+650+253+1234", set()),
    ("+16502531234+16502531235", {"+16502531234", "+16502531235"}),
    # phones in the usual formats, one or several
    ("call 650 253 1234", {"+16502531234"}),
    ("(650) 253-1234", {"+16502531234"}),
    ("+1 (650) 253-1234", {"+16502531234"}),
    ("1-650-253-1234", {"+16502531234"}),
    ("650.253.1234", {"+16502531234"}),
    ("650/253/1234", {"+16502531234"}),
    ("tel:+16502531234", {"+16502531234"}),
    ("6502531234ext5", {"+16502531234"}),
    ("650-253-1234/650-253-1235", {"+16502531234", "+16502531235"}),
    ("650 253 1234 - 650 253 1235", {"+16502531234", "+16502531235"}),
    ("6502531234,6502531235", {"+16502531234", "+16502531235"}),
    ("+44 20 7946 0958", {"+442079460958"}),
    ("(650) 253-١٢٣٤", {"+16502531234"}),  # Arabic-Indic digits
    ("65025312345", set()),
]


@pytest.mark.parametrize(("text", "expected"), AGREED)
def test_finder_agrees_with_the_matcher(text, expected):
    assert matcher(text) == expected  # the reference says so (guards the cases themselves)
    assert finder(text) == expected


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("appelle le 06 12 34 56 78 le 3/10/1984", "FR", {"+33612345678"}),
        ("06.12.34.56.78", "FR", {"+33612345678"}),
        ("(+33) 6 12 34 56 78", "FR", {"+33612345678"}),
        ("le 12/03/2024 à 10:30", "FR", set()),
    ],
)
def test_other_regions_agree(text, region, expected):
    assert matcher(text, region) == expected
    assert finder(text, region) == expected


@pytest.mark.parametrize(
    ("text", "ours"),
    [
        ("call6502531234", {"+16502531234"}),  # glued to a word: obfuscation, the matcher refuses
        ("tel 650,253,1234", {"+16502531234"}),  # commas as separators
        ("650 253 1234 5", {"+16502531234"}),  # a stray trailing group is dropped
        ("3/10/1984 (650) 253-1234", {"+16502531234"}),  # the matcher drops a phone right after a date
        ("3.10.1984", set()),  # a date with dots: the matcher reads +1 310 1984
        ("3-10-1984", set()),
    ],
)
def test_deliberate_differences(text, ours):
    assert finder(text) == ours
    assert matcher(text) != ours


_PREFIXES = ["650253", "202555", "312555", "713555", "415555"]


@st.composite
def phone(draw):
    d = draw(st.sampled_from(_PREFIXES)) + draw(st.from_regex(r"\d{4}", fullmatch=True))
    a, b, c = d[:3], d[3:6], d[6:]
    fmt = draw(
        st.sampled_from(
            [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", d, f"+1 {a} {b} {c}", f"1-{a}-{b}-{c}", f"{a} {b} {c}"]
        )
    )
    return fmt, {"+1" + d}


@st.composite
def not_a_phone(draw):
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    year = draw(st.integers(1950, 2025))
    digits = st.from_regex(r"[1-9]\d{2,3}", fullmatch=True)
    return (
        draw(
            st.sampled_from(
                [
                    f"{day}/{month}/{year}",
                    f"{month:02d}/{day:02d}/{year}",
                    f"{year}-{month:02d}-{day:02d}",
                    f"{year}-{month:02d}-{day:02d} {day % 24:02d}:{month * 4:02d}",
                    f"{day % 24}:{month * 4:02d}",
                    f"{day}-{day + month}",
                    f"${draw(digits)}{draw(digits)}{draw(digits)}",
                    f"{draw(digits)}{draw(digits)}{draw(digits)}$",
                    f"{draw(digits)}{draw(digits)}{draw(digits)}%",
                    f"{draw(digits)}+{draw(digits)}+{draw(digits)}",
                    f"+{draw(digits)}+{draw(digits)}+{draw(digits)}",
                ]
            )
        ),
        set(),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(phone(), not_a_phone()), min_size=1, max_size=5), st.sampled_from([" and ", "; ", " call "]))
def test_finder_agrees_with_the_matcher_on_generated_texts(pieces, joint):
    text = joint.join(p for p, _ in pieces)
    assert finder(text) == matcher(text)
