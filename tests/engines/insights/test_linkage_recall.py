"""Linkage recall on FEBRL-like data: blocking, swapped names, initials, transposed dates, missed-link estimate."""

from __future__ import annotations

import pytest

from threadline.engines.insights import import_file, link
from threadline.engines.insights.linkage import (
    blocking_rules,
    pair_cap,
    select_rules,
    without_sampled_matches,
)
from threadline.engines.insights.linkage.backends import DuckDBBackend
from threadline.engines.insights.store import as_store

from .conftest import KEY
from .febrl_like import write_febrl_like


@pytest.fixture(scope="module")
def febrl_like(tmp_path_factory):
    base = tmp_path_factory.mktemp("febrl-like")
    files, truth = write_febrl_like(base / "files")
    store = base / "store"
    for f in files:
        rep = import_file(f, "htcds", f.stem, store, key=KEY)
        assert rep.stored, rep.validation.summary()
    return store, truth


def test_blocking_scores_at_least_98_percent_of_true_pairs(febrl_like):
    store, truth = febrl_like
    be = DuckDBBackend()
    be.load(as_store(store))
    rules, notes = select_rules(be, blocking_rules(be), pair_cap(3000))
    assert not notes  # a small store affords every rule
    caught = " OR ".join(f"coalesce(({r.sql()}), false)" for r in rules)
    blocked, true_pairs = (
        be.con()
        .execute(
            f"""SELECT count(*) FILTER (WHERE {caught}), count(*)
        FROM read_csv('{truth}', all_varchar = true) a JOIN read_csv('{truth}', all_varchar = true) b
          ON a.person_id = b.person_id AND a.record_id < b.record_id
        JOIN link_input l ON l.unique_id = a.record_id JOIN link_input r ON r.unique_id = b.record_id"""  # noqa: S608
        )
        .fetchall()[0]
    )
    assert true_pairs == 1500
    assert blocked / true_pairs >= 0.98


def test_link_recall_precision_and_missed_links(febrl_like):
    store, truth = febrl_like
    report = link(store, truth=truth)
    q = report.quality
    assert q["precision"] >= 0.98, report.summary()
    assert q["recall"] >= 0.93, report.summary()
    assert q["f1"] >= 0.95, report.summary()
    true_missed = q["true_pairs"] - q["true_positive_pairs"]
    # the estimate counts scored pairs below the threshold and the pairs blocking never scored
    assert report.estimated_unscored_links >= 0
    assert true_missed / 2 <= report.expected_missed_links <= true_missed * 2, report.summary()


def test_a_rule_that_costs_too_many_pairs_is_dropped_and_named(febrl_like):
    store, truth = febrl_like
    report = link(store, truth=truth, max_pairs_per_rule=2000)
    skipped = [n for n in report.notes if n.startswith("blocking rule skipped")]
    assert any("(given name)" in n for n in skipped)
    assert not any("(phonetic names)" in n for n in skipped)
    assert report.pairs_scored < link(store).pairs_scored


def test_pair_cap_grows_with_the_store():
    assert pair_cap(1000) == 1e6 and pair_cap(10**6) == 1e7 and pair_cap(10**6, 5) == 5.0


def test_u_is_cleared_of_the_true_pairs_in_the_random_sample():
    model = {
        "probability_two_random_records_match": 1e-4,
        "comparisons": [
            {
                "comparison_levels": [
                    {"is_null_level": True},
                    {"m_probability": 0.95, "u_probability": 1.2e-4},  # exact date: mostly sampled true pairs
                    {"m_probability": 0.05, "u_probability": 0.99988},
                    {"m_probability": 0.9, "u_probability": 5e-5},  # below lambda * m: keeps a tenth
                ]
            }
        ],
    }
    levels = without_sampled_matches(model)["comparisons"][0]["comparison_levels"]
    assert levels[1]["u_probability"] == pytest.approx((1.2e-4 - 0.95e-4) / (1 - 1e-4))
    assert levels[2]["u_probability"] == pytest.approx((0.99988 - 0.05e-4) / (1 - 1e-4))
    assert levels[3]["u_probability"] == pytest.approx(5e-6)
    assert "u_probability" not in levels[0]
