"""Indicator arithmetic against hand-computed values, and suppression below k = 11."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from threadline.engines.policy import K, headcount, headcounts, median_days, rate_per_100k, service_quality, share


def test_rate_per_100k_is_hand_computable_and_suppressed_below_k():
    assert rate_per_100k(57, 1_234_567).value == 4.62  # 57 * 100000 / 1234567 = 4.6170...
    assert rate_per_100k(11, 100_000).value == 11.0
    assert rate_per_100k(10, 100_000).suppressed
    assert rate_per_100k(None, 100_000).suppressed
    assert rate_per_100k(50, 0).suppressed
    assert rate_per_100k(10, 100_000).n is None  # a suppressed figure does not carry its size


def test_share_needs_numerator_denominator_and_complement_of_at_least_k():
    assert share(30, 60).value == 50.0
    assert share(11, 22).value == 50.0
    assert share(10, 60).suppressed
    assert share(50, 60).suppressed  # 10 in the complement
    assert share(30, 0).suppressed


def test_median_days_needs_k_people():
    days = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 40]
    assert median_days(days).value == 5.0
    assert median_days(days[:-1]).suppressed
    assert median_days([*days, -3]).n == 11  # a negative wait is a data error, left out


@given(st.integers(0, 10_000), st.integers(1, 10_000_000))
def test_no_rate_is_ever_published_from_fewer_than_k(count, population):
    figure = rate_per_100k(count, population)
    assert figure.suppressed == (count < K)


@given(st.integers(0, 200), st.integers(0, 200))
def test_no_share_is_ever_published_with_a_small_group(numerator, extra):
    figure = share(numerator, numerator + extra)
    if not figure.suppressed:
        assert numerator >= K and extra >= K


def test_service_quality_publishes_shares_only_from_protected_counts():
    rows = (
        [{"area": "shelter", "safe": "yes"}] * 30
        + [{"area": "shelter", "safe": "no"}] * 12
        + [{"area": "legal", "safe": "yes"}] * 20
        + [{"area": "legal", "safe": "no"}] * 15
    )
    result = {r["area"]: r for r in service_quality(rows, area_field="area", dimensions=["safe"])}
    assert result["shelter"]["responses"] == 42 and result["shelter"]["share"] == round(100 * 30 / 42, 1)
    assert result["legal"]["share"] == round(100 * 20 / 35, 1)


def test_service_quality_hides_a_small_area_and_what_would_reveal_it():
    rows = (
        [{"area": "shelter", "safe": "yes"}] * 30
        + [{"area": "shelter", "safe": "no"}] * 12
        + [{"area": "legal", "safe": "yes"}] * 5
    )
    for row in service_quality(rows, area_field="area", dimensions=["safe"]):
        if row["area"] == "legal":
            assert row["responses"] is None and row["share"] is None
        for value in (row["responses"], row["positive"]):
            assert value is None or value >= K


def test_headcount_is_published_from_k_people_only():
    assert headcount(11).value == 11.0 and headcount(11).n == 11
    assert headcount(10).suppressed and headcount(10).n is None
    assert headcount(0).suppressed and headcount(None).suppressed


def test_headcounts_hide_small_categories_and_what_would_give_them_away():
    shown = headcounts({"female": 40, "male": 35, "other": 3, "not_stated": 0})
    assert "not_stated" not in shown  # empty categories are left out
    # "other" (3) is under k; alone it would be the total (78) minus 40 and 35, so the next smallest goes too.
    assert shown["other"].suppressed and shown["male"].suppressed and shown["female"].value == 40.0
    # Two small categories that add up to k or more protect each other; the large one stays.
    shown = headcounts({"9-12": 5, "12-15": 7, "15-18": 30})
    assert shown["9-12"].suppressed and shown["12-15"].suppressed and shown["15-18"].value == 30.0
    # Two small ones under k together need a third.
    shown = headcounts({"a": 2, "b": 3, "c": 20, "d": 50})
    assert [n for n, f in shown.items() if f.suppressed] == ["a", "b", "c"] and shown["d"].value == 50.0
    assert all(not f.suppressed for f in headcounts({"a": 11, "b": 12}).values())
    assert all(f.suppressed for f in headcounts({"a": 4, "b": 6}).values())  # a total under k shows nothing


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(min_value=0, max_value=60), max_size=6))
def test_headcounts_never_show_under_k_nor_let_a_hidden_group_under_k_be_worked_out(counts):
    shown = headcounts(counts)
    for figure in shown.values():
        assert figure.suppressed or (figure.value >= K and figure.n >= K)
    hidden = [counts[name] for name, figure in shown.items() if figure.suppressed]
    total = sum(n for n in counts.values() if n > 0)
    if total >= K:  # the total may be published: what it leaves over must not be a small group on its own
        assert not hidden or (len(hidden) > 1 and sum(hidden) >= K) or min(hidden) >= K
