from __future__ import annotations

import json
import math
import threading

import opendp.prelude as dp
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.disclosure import BudgetExceeded, BudgetLedger, dp_counts, release, to_rows
from threadline.engines.disclosure.dp import discrete_laplace_variance, total_accuracy

from .conftest import make_records

dp.enable_features("contrib")


def test_counts_accuracy_and_budget(tmp_path, records):
    ledger = BudgetLedger(tmp_path / "budget.json", total_epsilon=1.0)
    pt = dp_counts(records, ["gender", "isSexualExploit"], 0.4, ledger, dataset_id="org-a")
    assert pt.method == "dp" and math.isclose(pt.epsilon, 0.4)
    expected = float(dp.discrete_laplacian_scale_to_accuracy(scale=1 / 0.4, alpha=0.05))
    for cell in pt.interior:
        assert isinstance(cell.value, int) and cell.value >= 0
        assert math.isclose(cell.accuracy, expected)
    assert pt.total.accuracy > expected  # totals carry the noise of all their cells
    assert math.isclose(ledger.spent("org-a"), 0.4)
    assert math.isclose(ledger.remaining("org-a"), 0.6)
    rows = to_rows(pt)
    assert rows[0]["confidence"] == "95%" and rows[0]["accuracy"] == round(expected, 2)


def test_budget_cannot_be_exceeded_and_refusal_records_nothing(tmp_path, records):
    path = tmp_path / "budget.json"
    ledger = BudgetLedger(path, total_epsilon=1.0)
    dp_counts(records, ["gender"], 0.7, ledger)
    before = path.read_text()
    with pytest.raises(BudgetExceeded):
        dp_counts(records, ["ageBroad"], 0.4, ledger)
    assert path.read_text() == before
    dp_counts(records, ["ageBroad"], 0.3, ledger)
    with pytest.raises(BudgetExceeded):
        dp_counts(records, ["ageBroad"], 0.01, ledger)
    # Another dataset has its own budget; a larger total later never raises an existing one.
    dp_counts(records, ["gender"], 0.5, ledger, dataset_id="other")
    assert math.isclose(BudgetLedger(path, total_epsilon=100).remaining("default"), 0.0, abs_tol=1e-9)


def test_concurrent_charges_never_overspend(tmp_path):
    ledger = BudgetLedger(tmp_path / "budget.json", total_epsilon=1.0)
    ok, refused = [], []

    def spend():
        try:
            ledger.charge("d", 0.3, "test")
            ok.append(1)
        except BudgetExceeded:
            refused.append(1)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(ok) == 3 and len(refused) == 5
    assert ledger.spent("d") <= 1.0
    assert len(json.loads((tmp_path / "budget.json").read_text())["datasets"]["d"]["charges"]) == 3


def test_labels_come_from_the_public_codebook_not_the_data(tmp_path):
    a = pa.Table.from_pylist([{"gender": "Female", "citizenship": "UA"}] * 5)
    b = pa.Table.from_pylist([{"gender": "Male", "citizenship": "NG"}] * 50)
    ledger = BudgetLedger(tmp_path / "b.json", total_epsilon=10)
    ka = [c.key for c in dp_counts(a, ["gender", "citizenship"], 1, ledger, dataset_id="a").cells]
    kb = [c.key for c in dp_counts(b, ["gender", "citizenship"], 1, ledger, dataset_id="b").cells]
    assert ka == kb
    assert ("Female", "NA") in ka  # every ISO code, Namibia included


def test_stated_accuracy_covers_the_truth(tmp_path):
    t = make_records(300, seed=5)
    truth = {}
    for g in t.column("gender").to_pylist():
        truth[(g,)] = truth.get((g,), 0) + 1
    ledger = BudgetLedger(tmp_path / "b.json", total_epsilon=1000)
    inside = total = 0
    for _ in range(40):
        pt = dp_counts(t, ["gender"], 0.5, ledger)
        for cell in pt.interior:
            total += 1
            inside += abs(cell.value - truth.get(cell.key, 0)) <= cell.accuracy
    assert inside / total >= 0.9  # nominal 95 %, clamping at zero only helps


def test_total_accuracy_bounds():
    scale = 2.0
    cell = float(dp.discrete_laplacian_scale_to_accuracy(scale=scale, alpha=0.05))
    assert math.isclose(total_accuracy(scale, 1, 0.05), min(cell, math.sqrt(discrete_laplace_variance(scale) / 0.05)))
    values = [total_accuracy(scale, m, 0.05) for m in (1, 4, 16, 64, 256)]
    assert values == sorted(values)
    assert values[-1] < 256 * cell  # grows like sqrt(m), not m


def test_release_requires_a_ledger_for_dp(records):
    with pytest.raises(ValueError, match="budget ledger"):
        release(records, ["gender"], epsilon=1.0)
    with pytest.raises(ValueError, match="either"):
        release(records, ["gender"], epsilon=1.0, k=11)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.floats(0.1, 5.0),
    spends=st.lists(st.floats(0.01, 2.0), min_size=1, max_size=12),
)
def test_property_budget_never_exceeded(tmp_path_factory, total, spends):
    ledger = BudgetLedger(tmp_path_factory.mktemp("b") / "budget.json", total_epsilon=total)
    spent = 0.0
    for eps in spends:
        if spent + eps <= total + 1e-12:
            ledger.charge("d", eps, "x")
            spent += eps
        else:
            with pytest.raises(BudgetExceeded):
                ledger.charge("d", eps, "x")
        assert ledger.spent("d") <= total + 1e-9
        assert math.isclose(ledger.spent("d"), spent, rel_tol=1e-9, abs_tol=1e-12)
