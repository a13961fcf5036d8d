"""Attacks that combine releases: subtracting one published table from another."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.disclosure import (
    ReleaseLedger,
    ReleaseRefused,
    canonical,
    crosstab,
    suppress,
)
from threadline.engines.disclosure.suppression import recode_rare

from .conftest import attacker_intervals, make_records
from .test_suppression import K, check_protection, frozen, table_from_counts

TRANS = "Transgender/NonConforming"


def gender_age_records() -> pa.Table:
    counts = {
        ("Female", "0--8"): 30,
        ("Female", "9--17"): 40,
        ("Female", "18--20"): 30,
        ("Male", "0--8"): 12,
        ("Male", "9--17"): 18,
        ("Male", "18--20"): 0,
        (TRANS, "0--8"): 0,
        (TRANS, "9--17"): 3,
        (TRANS, "18--20"): 0,
    }
    return table_from_counts(["gender", "ageBroad"], counts)


def seed_ledger(path, ct_release, hidden_keys):
    """An earlier release made elsewhere (another tool, another pattern) recorded in the ledger."""
    values = ct_release.with_margins()
    entry = {
        "release": 1,
        "dataset_id": ct_release.dataset_id,
        "version": ct_release.version,
        "method": "suppression",
        "k": K,
        "by": list(ct_release.by),
        "categories": {f: list(c) for f, c in ct_release.categories.items()},
        "published": {canonical(ct_release.by, key): (None if key in hidden_keys else v) for key, v in values.items()},
        "at": "2026-01-01T00:00:00+00:00",
    }
    path.write_text(json.dumps({"format": 1, "kind": "release-ledger", "releases": [entry]}))


def test_gender_then_gender_by_age(tmp_path):
    t = gender_age_records()
    by_gender = crosstab(t, ["gender"])
    # Release 1 (safe on its own): Trans (3) hidden, Female (100) hidden with it; Male 30 and total shown.
    r1_hidden = {(TRANS,), ("Female",)}
    seed_ledger(tmp_path / "ledger.json", by_gender, r1_hidden)
    r1 = suppress(by_gender, K, recode=False)
    for c in r1.cells:
        c.value = None if c.key in r1_hidden else by_gender.with_margins()[c.key]
    assert attacker_intervals([r1])[frozenset({("gender", TRANS)})][1] >= K  # safe alone

    by_both = crosstab(t, ["gender", "ageBroad"])
    naive = suppress(by_both, K, recode=False)  # no ledger: safe alone ...
    check_protection(naive, by_both.with_margins())
    lo, hi = attacker_intervals([r1, naive])[frozenset({("gender", TRANS)})]
    assert lo == hi == 3  # ... but with release 1 the attacker subtracts: Trans = 133 - 100 - 30

    ledger = ReleaseLedger(tmp_path / "ledger.json")
    safe = suppress(by_both, K, recode=False, ledger=ledger)
    assert safe.cell(("Female", None)).value is None  # hidden before, stays hidden
    intervals = attacker_intervals([r1, safe])
    for key, (lo, hi) in intervals.items():
        assert hi - lo >= 1 - 1e-6, key
    lo, hi = intervals[frozenset({("gender", TRANS)})]
    assert hi >= K
    assert len(ledger.releases(by_both.dataset_id)) == 2


def test_same_table_before_and_after_adding_records(tmp_path):
    base = make_records(600, seed=11)
    extra = pa.Table.from_pylist(
        [{**base.slice(0, 1).to_pylist()[0], "gender": "Female", "ageBroad": "9--17"} for _ in range(2)],
        schema=base.schema,
    )
    grown = pa.concat_tables([base, extra])
    by = ["gender", "ageBroad"]

    # Without a ledger the two releases differ by 2 in the cells the new cases fall in.
    v1 = suppress(crosstab(base, by), K)
    v2_naive = suppress(crosstab(grown, by), K)
    diffs = {
        key: v2_naive.published()[key] - v
        for key, v in v1.published().items()
        if key in v2_naive.published() and v2_naive.published()[key] != v
    }
    assert diffs and all(0 < d < K for d in diffs.values())  # the attack works: 2 new girls aged 9-17

    ledger = ReleaseLedger(tmp_path / "ledger.json")
    first = suppress(crosstab(base, by), K, ledger=ledger)
    ct2 = crosstab(grown, by)
    assert ct2.version != first.version
    second = suppress(ct2, K, ledger=ledger)
    p1, p2 = first.published(), second.published()
    for key in p1.keys() & p2.keys():
        assert p1[key] == p2[key] or abs(p1[key] - p2[key]) >= K, key
    assert any(c.suppressed == "difference" for c in second.cells)
    # The hidden differences cannot be recovered from the second release's own totals either.
    check_protection(second, recode_rare(ct2, K).with_margins())


def test_refused_when_earlier_releases_already_pin_the_cell(tmp_path):
    t = table_from_counts(
        ["gender", "ageBroad"],
        {("Female", "0--8"): 40, ("Female", "9--17"): 50, ("Male", "0--8"): 30, (TRANS, "9--17"): 3},
    )
    ledger = ReleaseLedger(tmp_path / "ledger.json")
    suppress(crosstab(t, ["gender"]), 2, ledger=ledger, recode=False)  # someone released with k = 2
    with pytest.raises(ReleaseRefused):
        # Trans is 3, all in 9-17 and 0 elsewhere (zeros are published): the cell equals the known total.
        suppress(crosstab(t, ["gender", "ageBroad"]), K, ledger=ledger, recode=False)


def test_ledger_holds_only_published_values_and_is_written_atomically(tmp_path):
    path = tmp_path / "sub" / "ledger.json"
    ledger = ReleaseLedger(path)
    t = table_from_counts(["gender"], {("Female",): 200, ("Male",): 40, (TRANS,): 3})
    suppress(crosstab(t, ["gender"]), K, ledger=ledger, recode=False)
    data = json.loads(path.read_text())
    published = data["releases"][0]["published"]
    assert published[canonical(("gender",), (TRANS,))] is None
    assert 3 not in published.values()
    assert sorted(p.name for p in path.parent.iterdir()) == ["ledger.json", "ledger.json.lock"]


pool = [
    ["gender"],
    ["ageBroad"],
    ["gender", "ageBroad"],
    ["ageBroad", "yearOfRegistration"],
    ["gender", "yearOfRegistration"],
]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 10_000), st.integers(30, 120), st.lists(st.sampled_from(pool), min_size=2, max_size=3))
def test_property_no_sequence_of_releases_reveals_a_cell(tmp_path, seed, n, groupings):
    t = make_records(n, seed=seed)
    ledger = ReleaseLedger(tmp_path / f"ledger-{seed}-{n}-{random.random()}.json")
    releases = []
    truth = {}
    for by in groupings:
        ct = crosstab(t, by)
        releases.append(suppress(ct, K, ledger=ledger, max_primary_share=1.0))
        for key, v in recode_rare(ct, K).with_margins().items():
            truth[frozen(ct.by, key)] = v
    for r in releases:
        assert all(v == 0 or v >= K for v in r.published().values())
    first = releases[0]
    check_protection(first, {c.key: truth[frozen(first.by, c.key)] for c in first.cells})
    for key, (lo, hi) in attacker_intervals(releases).items():
        assert hi - lo >= 1 - 1e-6, (key, truth[key], lo, hi)


def test_other_means_the_same_people_in_every_release_of_a_version(tmp_path):
    counts = {
        ("Female", "0--8"): 60,
        ("Female", "9--17"): 50,
        ("Male", "0--8"): 40,
        (TRANS, "0--8"): 4,
        (TRANS, "9--17"): 3,
    }
    t = table_from_counts(["gender", "ageBroad"], counts)
    ledger = ReleaseLedger(tmp_path / "ledger.json")
    first = suppress(crosstab(t, ["gender"]), 5, ledger=ledger)  # k = 5 keeps the category of 7
    second = suppress(crosstab(t, ["gender", "ageBroad"]), K, ledger=ledger)
    assert second.categories["gender"] == first.categories["gender"]
    assert first.cell((TRANS,)).value == 7
    assert second.cell((TRANS, None)).value is None  # below 11 now, although already public
    assert any("already published" in n for n in second.notes)
    for key, (lo, hi) in attacker_intervals([first, second]).items():
        assert hi - lo >= 1 - 1e-6, key
