"""Identifier encodings: normalisation, phonetic keys, HMACs and Bloom filters."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.insights.encoding import (
    BLOOM_BITS,
    Encoder,
    dice,
    encode_identifiers,
    normalise_date,
    normalise_name,
    phonetic_key,
)

from .conftest import KEY


def test_normalise_name_strips_accents_case_and_punctuation():
    assert normalise_name("  Zoë-Ânne  O'Dara ") == "zoe anne odara"
    assert normalise_name(None) == ""


@settings(deadline=None)
@given(st.text())
def test_normalise_name_is_idempotent_and_ascii(text):
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert set(once) <= set("abcdefghijklmnopqrstuvwxyz ")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammed", "Muhammad"),
        ("Youssef", "Yusuf"),
        ("Khalid", "Halid"),
        ("Sasha", "Sacha"),
        ("Filip", "Philip"),
        ("Мухаммед", "Mohammed"),
        ("محمد", "Muhammad"),
        ("Юсуф", "Youssef"),
        ("Αλέξανδρος", "Alexandros"),
    ],
)
def test_phonetic_key_absorbs_transliteration(a, b):
    assert phonetic_key(a) == phonetic_key(b)


def test_names_in_other_scripts_are_transliterated():
    assert normalise_name("Мухаммед") == "mukhammed"
    assert normalise_name("Søren Łukasz Straße") == "soren lukasz strasse"
    assert normalise_name("李小龙") == "lixiaolong"
    enc = Encoder(KEY).encode("محمد", "Юсуф", None)
    assert enc["enc_given"] and enc["bf_given"] and enc["enc_family_ph"]
    assert enc["enc_given_ph"] == Encoder(KEY).encode("Muhammad", None, None)["enc_given_ph"]


def test_phonetic_key_separates_different_names():
    assert phonetic_key("Tamar") != phonetic_key("Dalin")


@settings(deadline=None)
@given(st.text())
def test_phonetic_key_never_fails(text):
    key = phonetic_key(text)
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz")


def test_normalise_date_formats():
    assert normalise_date("2009-03-04") == dt.date(2009, 3, 4)
    assert normalise_date("04/03/2009") == dt.date(2009, 3, 4)
    assert normalise_date(dt.datetime(2009, 3, 4, 10)) == dt.date(2009, 3, 4)
    assert normalise_date("2009-02-30") is None
    assert normalise_date("soon") is None


def test_encoder_is_deterministic_and_keyed():
    a = Encoder(KEY).encode("Tamar", "Velinor", "2010-05-07")
    b = Encoder(KEY).encode(" tamar ", "VELINOR", dt.date(2010, 5, 7))
    c = Encoder(b"another-key-of-enough-length").encode("Tamar", "Velinor", "2010-05-07")
    assert a == b
    assert a["enc_given"] != c["enc_given"] and a["enc_key_id"] != c["enc_key_id"]
    assert len(a["enc_given"]) == 32 and len(a["bf_given"]) == BLOOM_BITS // 4


def test_transposed_day_and_month_share_the_canonical_date():
    enc = Encoder(KEY)
    a, b = enc.encode(date_of_birth="2010-05-07"), enc.encode(date_of_birth="2010-07-05")
    assert a["enc_dob"] != b["enc_dob"]
    assert a["enc_dob_canon"] == b["enc_dob_canon"]
    assert a["enc_yob"] == b["enc_yob"]


def test_bloom_filter_dice_tolerates_typos():
    enc = Encoder(KEY)
    same = enc.bloom("family", "velinorova")
    typo = enc.bloom("family", "velinorva")
    other = enc.bloom("family", "kastemuri")
    assert dice(same, same) == 1.0
    assert dice(same, typo) > 0.75 > dice(same, other)


def test_short_key_is_refused():
    with pytest.raises(ValueError):
        Encoder(b"short")


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=20), st.text(max_size=20))
def test_encodings_never_contain_the_raw_value(given_name, family_name):
    table = encode_identifiers([{"given_name": given_name, "family_name": family_name}], KEY)
    row = table.to_pylist()[0]
    norm = normalise_name(given_name)
    for name, value in row.items():
        if value is not None and len(norm) >= 4 and name != "enc_key_id":
            assert norm not in value


def test_missing_values_give_nulls():
    row = encode_identifiers([{}], KEY).to_pylist()[0]
    assert row["enc_given"] is None and row["bf_family"] is None and row["enc_dob"] is None
    assert row["enc_key_id"]


def test_swapped_names_share_their_encodings():
    enc = Encoder(KEY)
    a, b = enc.encode("Tamar", "Velinor", None), enc.encode("Velinor", "Tamar", None)
    assert a["enc_given"] == b["enc_family"] and a["enc_family"] == b["enc_given"]
    assert a["enc_given_ph"] == b["enc_family_ph"] and a["bf_given"] == b["bf_family"]


def test_an_initial_is_contained_in_the_full_name():
    enc = Encoder(KEY)
    initial, full, other = (int(enc.encode(n)["bf_given"], 16) for n in ("T.", "Tamar", "Dalin"))
    assert initial & full == initial
    assert initial & other != initial
    assert 0 < initial.bit_count() <= 10
