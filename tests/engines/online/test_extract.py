import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online.extract import (
    find_ages,
    find_emails,
    find_handles,
    find_names,
    find_phones,
    find_prices,
    find_urls,
    normalize_query,
)
from threadline.engines.online.normalize import fold

from .obfuscation_table import TABLE


def test_table_is_large_and_multilingual():
    assert len(TABLE) >= 150
    assert {r[0] for r in TABLE} == {"en", "es", "fr"}


@pytest.mark.parametrize(("lang", "kind", "text", "region", "expected"), TABLE)
def test_obfuscated_forms(lang, kind, text, region, expected):
    f = fold(text)
    got = [h.value for h in (find_phones(f, region) if kind == "phone" else find_emails(f))]
    if expected is None:
        assert got == []
    else:
        assert expected in got


def test_spans_point_into_original_text():
    text = "Hola, llámame al ２０２ cinco cinco cinco 0143 o escribe a ana (arroba) example (punto) com"
    f = fold(text)
    for h in find_phones(f, "US") + find_emails(f):
        assert fold(text[h.start : h.end]) == f[h.start : h.end]
        assert h.obfuscated


@given(
    area=st.sampled_from(["202", "312", "415", "713"]),
    last=st.integers(min_value=100, max_value=199),
    sep=st.sampled_from([" ", "-", ".", "", " - ", "/", "*"]),
    paren=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_phone_formats_property(area, last, sep, paren):
    a = f"({area})" if paren else area
    text = f"contact {a}{sep}555{sep}0{last - 100:03d}"[:200]
    num = f"+1{area}5550{last - 100:03d}"
    assert num in [h.value for h in find_phones(fold(text), "US")]
    assert ("phone", num) in normalize_query(f"{a}{sep}555{sep}0{last - 100:03d}", "US")


@given(local=st.from_regex(r"[a-z][a-z0-9]{2,10}", fullmatch=True), tld=st.sampled_from(["com", "org", "net", "test"]),
       style=st.integers(0, 3))  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_email_obfuscation_property(local, tld, style):
    forms = [f"{local}@example.{tld}", f"{local} at example dot {tld}", f"{local}(at)example(dot){tld}",
             f"{local} [at] example [dot] {tld}"]  # fmt: skip
    text = "write to " + forms[style] + " please"
    assert f"{local}@example.{tld}" in [h.value for h in find_emails(fold(text))]


def test_handles_urls_prices_ages_names():
    f = fold("WhatsApp: lilo_22, telegram @sunny.day, t.me/blue_fox. See https://Example.com/ad/1.")
    assert {h.value for h in find_handles(f)} == {"whatsapp:lilo_22", "telegram:sunny.day", "telegram:blue_fox"}
    assert [h.value for h in find_urls(f)] == ["example.com/ad/1"]
    prices = find_prices(fold("$150/hr, 120 euros la hora, 80€ par heure"))
    assert [(p.amount, p.currency, p.unit) for p in prices] == [
        (150.0, "USD", "hour"), (120.0, "EUR", "hour"), (80.0, "EUR", "hour")]  # fmt: skip
    assert [a.value for a in find_ages(fold("I am 24 years old. Tengo 25 años. J'ai 23 ans."))] == ["24", "25", "23"]
    text = "Hi, my name is Lirela. Me llamo Savina. Je m'appelle Marou. I am Available."
    assert [n.value for n in find_names(text)] == ["Lirela", "Savina", "Marou"]


def test_handle_with_spaced_at_sign_and_words_glued_to_other_scripts():
    f = fold("Instagram @ kitaro_114 or telegram  @  blue_fox; snap me")
    assert [h.value for h in find_handles(f)] == ["instagram:kitaro_114", "telegram:blue_fox"]
    # a platform word glued to a letter of another script is not a platform word
    assert find_handles(fold("whatsappд lilo_22")) == []
    assert [h.value for h in find_handles(fold("€whatsapp lilo_22"))] == ["whatsapp:lilo_22"]


def test_age_stated_twice_in_one_phrase_counts_once():
    assert [a.value for a in find_ages(fold("tengo 25 años y 30 yo"))] == ["25", "30"]


def test_normalize_query_forms():
    assert normalize_query("(202) 555-0143", "US") == [("phone", "+12025550143")]
    assert normalize_query("+1 202 555 0143") == [("phone", "+12025550143")]
    assert normalize_query("two zero two five five five zero one four three", "US") == [("phone", "+12025550143")]
    assert normalize_query("01 99 00 12 34", "FR") == [("phone", "+33199001234")]
    assert normalize_query("Ana AT Example dot com") == [("email", "ana@example.com")]
    assert normalize_query("telegram: blue_fox") == [("handle", "telegram:blue_fox")]
    assert ("handle", "kik:blue_fox") in normalize_query("@blue_fox")
    assert normalize_query("   ") == []
