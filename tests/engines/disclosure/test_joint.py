"""Tables shown together (a dashboard) are protected as one system: an attacker holding all of them, and
every earlier release of the same version, can neither compute a hidden figure nor bound one below k."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.disclosure import (
    ProtectedTable,
    ReleaseLedger,
    ReleaseRefused,
    crosstab,
    suppress,
    suppress_jointly,
)

from .conftest import attacker_intervals
from .test_suppression import table_from_counts

K = 5
FIELDS = ["yearOfRegistration", "gender", "ageBroad"]
CATEGORIES = [["2020", "2021", "2022"], ["Female", "Male"], ["0--8", "9--17", "18--20"]]
PAIRS = [[FIELDS[0], FIELDS[1]], [FIELDS[0], FIELDS[2]], [FIELDS[1], FIELDS[2]]]

#: Found by a seeded search: protected one table at a time, these three tables leave the 2020 children aged
#: 0--8 (1 person) exactly computable from the three together.
LEAKY = dict(
    zip(
        itertools.product(*CATEGORIES),
        [0, 6, 6, 1, 0, 2, 6, 0, 1, 2, 0, 2, 0, 0, 3, 6, 0, 2],
        strict=True,
    )
)


def _truth(counts: dict[tuple, int]) -> dict[frozenset, int]:
    out: dict[frozenset, int] = {}
    for key, n in counts.items():
        for mask in itertools.product((False, True), repeat=len(FIELDS)):
            cell = frozenset((f, v) for f, v, m in zip(FIELDS, key, mask, strict=True) if not m)
            out[cell] = out.get(cell, 0) + n
    return out


def _crosstabs(counts, groupings, version="v1"):
    records = table_from_counts(FIELDS, counts)
    return [crosstab(records, by, version=version, dataset_id="ds") for by in groupings]


def _assert_jointly_safe(tables: list[ProtectedTable], truth: dict[frozenset, int], k: int = K) -> None:
    statuses: dict[frozenset, set[bool]] = {}
    for t in tables:
        for cell in t.cells:
            name = frozenset((f, v) for f, v in zip(t.by, cell.key, strict=True) if v is not None)
            statuses.setdefault(name, set()).add(cell.value is None)
            if cell.value is not None:
                assert cell.value == truth[name]
                assert cell.value == 0 or cell.value >= k, (name, cell.value)
    assert all(len(s) == 1 for s in statuses.values()), "a shared cell is hidden in one table, shown in another"
    for name, (lo, hi) in attacker_intervals(tables).items():
        assert hi - lo >= 1 - 1e-6, f"{sorted(name)} is determined by the tables together"
        if 0 < truth[name] < k:
            assert hi - lo >= k - 1 - 1e-6, f"{sorted(name)}: the attacker bounds a small cell too tightly"


def test_tables_protected_one_by_one_can_leak_together():
    tables = [suppress(ct, K, recode=False) for ct in _crosstabs(LEAKY, PAIRS)]
    intervals = attacker_intervals(tables)
    target = frozenset({("yearOfRegistration", "2020"), ("ageBroad", "0--8")})
    lo, hi = intervals[target]
    assert hi - lo < 1e-6 and round(lo) == 1, "the regression example no longer leaks: pick another"


def test_the_same_tables_protected_jointly_do_not():
    tables = suppress_jointly(_crosstabs(LEAKY, PAIRS), K, recode=False)
    assert all(isinstance(t, ProtectedTable) for t in tables)
    _assert_jointly_safe(tables, _truth(LEAKY))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([0, 0, 1, 2, 3, 6, 8, 12, 20]), min_size=18, max_size=18))
def test_joint_protection_property(values):
    counts = dict(zip(itertools.product(*CATEGORIES), values, strict=True))
    groupings = [*PAIRS, [FIELDS[0]]]
    results = suppress_jointly(_crosstabs(counts, groupings), K, recode=False, max_primary_share=1.0)
    tables = [t for t in results if isinstance(t, ProtectedTable)]
    assert tables, "a table is refused only when no pattern protects it"
    _assert_jointly_safe(tables, _truth(counts))


def test_one_category_list_per_field_across_the_set():
    counts = dict(LEAKY)
    counts[("2022", "Male", "18--20")] = 40
    results = suppress_jointly(_crosstabs(counts, PAIRS), K)
    years = {t.categories["yearOfRegistration"] for t in results if "yearOfRegistration" in t.by}
    ages = {t.categories["ageBroad"] for t in results if "ageBroad" in t.by}
    assert len(years) == 1 and len(ages) == 1


def test_max_categories_keeps_the_largest():
    counts = dict.fromkeys(itertools.product(*CATEGORIES), 12)
    counts[("2021", "Female", "0--8")] = 60
    (table,) = suppress_jointly(_crosstabs(counts, [[FIELDS[0]]]), K, max_categories={FIELDS[0]: 1})
    assert table.categories[FIELDS[0]] == ("2021", "Other")


def test_a_sparse_table_is_refused_and_the_others_still_protected():
    counts = dict.fromkeys(itertools.product(*CATEGORIES), 1)
    counts[("2020", "Female", "0--8")] = 50
    results = suppress_jointly(_crosstabs(counts, [[FIELDS[1]], FIELDS]), K, recode=False)
    assert isinstance(results[0], ProtectedTable)
    assert isinstance(results[1], ReleaseRefused) and "too sparse" in str(results[1])


def test_recorded_set_is_returned_as_recorded_and_releases_are_audited_against_it(tmp_path):
    ledger = ReleaseLedger(tmp_path / "ledger.json")
    first = suppress_jointly(_crosstabs(LEAKY, PAIRS), K, ledger=ledger, kind="dashboard")
    again = suppress_jointly(_crosstabs(LEAKY, PAIRS), K, ledger=ledger, kind="dashboard")
    entries = ledger.load()["releases"]
    assert len(entries) == 3 and {e["kind"] for e in entries} == {"dashboard"}
    for a, b in zip(first, again, strict=True):
        assert a.published() == b.published() and a.suppressed_keys() == b.suppressed_keys()
    # A release of the same version afterwards: the dashboards and the release together still hide everything.
    (release_ct,) = _crosstabs(LEAKY, [[FIELDS[2], FIELDS[0]]])
    release = suppress(release_ct, K, ledger=ledger)
    assert "kind" not in ledger.load()["releases"][-1]
    _assert_jointly_safe([*first, release], _truth(LEAKY))


def test_a_new_version_cannot_be_subtracted_from_the_recorded_dashboards(tmp_path):
    ledger = ReleaseLedger(tmp_path / "ledger.json")
    counts = dict.fromkeys(itertools.product(*CATEGORIES), 20)
    (before,) = suppress_jointly(_crosstabs(counts, [[FIELDS[1]]]), K, ledger=ledger, kind="dashboard")
    counts[("2022", "Male", "18--20")] += 1  # one person added
    (after,) = suppress_jointly(_crosstabs(counts, [[FIELDS[1]]], version="v2"), K, ledger=ledger, kind="dashboard")
    assert before.cell(("Male",)).value == 180
    assert after.cell(("Male",)).value is None, "181 - 180 would reveal the added person's gender"
    assert after.cell(("Male",)).suppressed == "difference"


def test_tables_of_different_versions_cannot_be_protected_together():
    a = _crosstabs(LEAKY, [[FIELDS[0]]])
    b = _crosstabs(LEAKY, [[FIELDS[1]]], version="v2")
    with pytest.raises(ValueError, match="one dataset version"):
        suppress_jointly([*a, *b], K)
