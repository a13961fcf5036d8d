from __future__ import annotations

import itertools

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.disclosure import OTHER, ReleaseRefused, crosstab, suppress, to_csv, to_rows
from threadline.engines.disclosure.suppression import recode_rare

from .conftest import attacker_intervals

K = 11
FIELDS = ["gender", "ageBroad", "yearOfRegistration"]
VALUES = {
    "gender": ["Female", "Male", "Transgender/NonConforming", "Unknown"],
    "ageBroad": ["0--8", "9--17", "18--20", "48+"],
    "yearOfRegistration": ["2020", "2021", "2022"],
}


def table_from_counts(by: list[str], counts: dict[tuple, int]) -> pa.Table:
    rows = []
    for key, n in counts.items():
        rows.extend([dict(zip(by, key, strict=True))] * n)
    return pa.Table.from_pylist(rows, schema=pa.schema([(f, pa.string()) for f in by]))


def frozen(by, key):
    return frozenset((f, v) for f, v in zip(by, key, strict=True) if v is not None)


def check_protection(pt, truth, k=K, need_for_primary=None):
    """No published figure in 1..k-1; published = true; totals consistent; no hidden figure derivable
    (and a hidden figure below k spans at least k-1 values for the attacker)."""
    need_for_primary = k - 1 if need_for_primary is None else need_for_primary
    published = pt.published()
    for key, v in published.items():
        assert v == 0 or v >= k, (key, v)
        assert v == truth[key]
    for key, v in published.items():
        if None in key:
            for j, x in enumerate(key):
                if x is None:
                    kids = [(*key[:j], c, *key[j + 1 :]) for c in pt.categories[pt.by[j]]]
                    if all(c in published for c in kids):
                        assert sum(published[c] for c in kids) == v
    intervals = attacker_intervals([pt])
    for cell in pt.cells:
        if cell.value is None:
            lo, hi = intervals[frozen(pt.by, cell.key)]
            assert hi - lo >= 1 - 1e-6, (cell.key, lo, hi)
            if truth[cell.key] < k:
                assert hi - lo >= need_for_primary - 1e-6, (cell.key, truth[cell.key], lo, hi)
                assert hi >= k - 1e-6  # the attacker cannot even prove the cell is below k


def test_one_dimensional_total_cannot_reveal_the_cell():
    t = table_from_counts(["gender"], {("Female",): 200, ("Male",): 40, ("Transgender/NonConforming",): 3})
    ct = crosstab(t, ["gender"])
    pt = suppress(ct, K, recode=False)
    hidden = pt.suppressed_keys()
    assert ("Transgender/NonConforming",) in hidden
    assert len(hidden) >= 2  # not alone: Male (or the total) goes too
    assert pt.cell(("Transgender/NonConforming",)).suppressed == "primary"
    check_protection(pt, ct.with_margins())


def test_two_small_cells_that_sum_below_k_pull_in_a_third():
    t = table_from_counts(["gender"], {("Female",): 500, ("Male",): 5, ("Transgender/NonConforming",): 5})
    ct = crosstab(t, ["gender"])
    pt = suppress(ct, K, recode=False)
    # Male + Trans = 10 would pin both to 1..9: a third figure has to go.
    assert len(pt.suppressed_keys()) >= 3
    check_protection(pt, ct.with_margins())


def test_zero_cells_are_published_and_never_complementary():
    t = table_from_counts(
        ["gender", "ageBroad"],
        {("Female", "0--8"): 30, ("Female", "9--17"): 4, ("Male", "0--8"): 25, ("Male", "9--17"): 0},
    )
    ct = crosstab(t, ["gender", "ageBroad"])
    pt = suppress(ct, K, recode=False)
    assert pt.cell(("Male", "9--17")).value == 0
    check_protection(pt, ct.with_margins())


def test_two_dimensional_no_hidden_cell_alone_in_a_line():
    t = table_from_counts(
        ["gender", "ageBroad"],
        {
            ("Female", "0--8"): 40,
            ("Female", "9--17"): 3,
            ("Female", "18--20"): 60,
            ("Male", "0--8"): 22,
            ("Male", "9--17"): 35,
            ("Male", "18--20"): 18,
        },
    )
    ct = crosstab(t, ["gender", "ageBroad"])
    pt = suppress(ct, K, recode=False)
    hidden = set(pt.suppressed_keys())
    for key in hidden:
        for j in range(2):
            line_parent = (*key[:j], None, *key[j + 1 :])
            line = [line_parent] + [(*line_parent[:j], c, *line_parent[j + 1 :]) for c in pt.categories[pt.by[j]]]
            assert len(hidden & set(line)) >= 2, key
    check_protection(pt, ct.with_margins())


def test_rare_categories_are_recoded_to_other():
    counts = {("Female",): 200, ("Male",): 80, ("Transgender/NonConforming",): 2, ("Unknown",): 4}
    ct = crosstab(table_from_counts(["gender"], counts), ["gender"])
    rc = recode_rare(ct, K)
    assert rc.categories["gender"] == ("Female", "Male", OTHER)
    assert rc.counts[(OTHER,)] == 6
    pt = suppress(ct, K)
    assert "Transgender/NonConforming" not in to_csv(pt)  # the label itself would say such a person exists


def test_writers_do_not_tell_primary_from_complementary():
    t = table_from_counts(["gender"], {("Female",): 200, ("Male",): 40, ("Transgender/NonConforming",): 3})
    pt = suppress(crosstab(t, ["gender"]), K, recode=False)
    text = to_csv(pt)
    assert "primary" not in text and "complementary" not in text
    assert text.splitlines()[0] == "gender,count,status,accuracy,confidence"
    rows = to_rows(pt)
    assert {r["status"] for r in rows} == {"", "suppressed"}
    assert rows[-1]["gender"] == "Total"
    assert "primary" in to_csv(pt, include_reason=True)


def test_everything_small_hides_everything_but_stays_consistent():
    t = table_from_counts(["gender", "ageBroad"], {("Female", "0--8"): 3, ("Male", "9--17"): 4})
    ct = crosstab(t, ["gender", "ageBroad"])
    with pytest.raises(ReleaseRefused, match="too sparse"):
        suppress(ct, K, recode=False)
    pt = suppress(ct, K, recode=False, max_primary_share=1.0)
    assert all(c.value in (None, 0) for c in pt.cells)
    check_protection(pt, ct.with_margins())


small_counts = st.one_of(st.integers(0, 12), st.integers(0, 60), st.just(0))


@st.composite
def random_tables(draw):
    d = draw(st.integers(1, 3))
    by = FIELDS[:d]
    widest = 4 if d < 3 else 3  # keeps 3-D tables (and the test's LPs) small
    cats = {f: VALUES[f][: draw(st.integers(2, min(widest, len(VALUES[f]))))] for f in by}
    keys = list(itertools.product(*(cats[f] for f in by)))
    counts = {key: draw(small_counts) for key in keys}
    if sum(counts.values()) == 0:
        counts[keys[0]] = 1
    return by, counts


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_tables(), st.booleans())
def test_property_no_small_cell_and_no_hidden_cell_derivable(table, recode):
    by, counts = table
    ct = crosstab(table_from_counts(by, counts), by)
    pt = suppress(ct, K, recode=recode, max_primary_share=1.0)
    truth = (recode_rare(ct, K) if recode else ct).with_margins()
    assert {c.key for c in pt.cells} == set(truth)
    check_protection(pt, truth)


@settings(max_examples=8, deadline=None)
@given(random_tables(), st.integers(3, 20))
def test_property_any_k(table, k):
    by, counts = table
    ct = crosstab(table_from_counts(by, counts), by)
    pt = suppress(ct, k, max_primary_share=1.0)
    check_protection(pt, recode_rare(ct, k).with_margins(), k=k)


def test_released_csv_is_safe_in_a_spreadsheet():
    from tests.csv_safety import HOSTILE, assert_spreadsheet_safe

    t = table_from_counts(["gender"], {(HOSTILE[0],): 200, (HOSTILE[2],): 40, ("Male",): 30})
    assert_spreadsheet_safe(to_csv(suppress(crosstab(t, ["gender"]), K, recode=False)), must_contain=HOSTILE[0:3:2])
