from __future__ import annotations

import pyarrow as pa

from threadline.engines.disclosure import (
    BudgetLedger,
    crosstab,
    dp_counts,
    quality_metrics,
    suppress,
    synthesise,
)

from .conftest import make_records


def test_synthetic_from_suppressed_tables_has_no_rare_combinations():
    real = make_records(800, seed=21)
    t1 = suppress(crosstab(real, ["gender", "ageBroad"]))
    t2 = suppress(crosstab(real, ["gender", "isSexualExploit"]))
    syn = synthesise([t1, t2], seed=3)
    assert set(syn.column_names) == {"gender", "ageBroad", "isSexualExploit"}
    metrics = quality_metrics(real, syn, ["gender", "ageBroad", "isSexualExploit"], k=11, length=3)
    assert metrics["rare_combination_leakage"] == 0
    one = metrics["by_length"][1]
    assert one["count_preservation"] > 0.75  # the rest sat in suppressed cells or rare combinations
    assert one["fabricated_share"] == 0.0  # single values all exist in the real data
    assert 0 <= metrics["by_length"][3]["mean_proportional_error"] < 1
    # Every published interior cell of the widest table is reproduced exactly (unless filtered as rare).
    counts = crosstab(syn, ["gender", "ageBroad"]).counts
    for cell in t1.interior:
        if cell.value is not None and cell.value >= 11:
            assert counts.get(cell.key, 0) <= cell.value


def test_synthetic_is_seeded_and_resizable():
    real = make_records(500, seed=2)
    t = suppress(crosstab(real, ["gender", "yearOfRegistration"]))
    a, b = synthesise([t], seed=9), synthesise([t], seed=9)
    assert a.equals(b)
    sized = synthesise([t], n=2000, seed=1)
    assert sized.num_rows <= 2000
    assert quality_metrics(real, sized, k=11)["rare_combination_leakage"] == 0


def test_synthetic_from_dp_counts(tmp_path):
    real = make_records(600, seed=4)
    pt = dp_counts(real, ["gender", "majorityStatus"], 2.0, BudgetLedger(tmp_path / "b.json", 4.0))
    syn = synthesise([pt], seed=0)
    assert quality_metrics(real, syn, k=11)["rare_combination_leakage"] == 0
    assert syn.num_rows > 0


def test_quality_metric_definitions():
    sensitive = pa.Table.from_pylist([{"a": "x"}] * 20 + [{"a": "y"}] * 2)
    synthetic = pa.Table.from_pylist([{"a": "x"}] * 15 + [{"a": "y"}] + [{"a": "z"}] * 11)
    m = quality_metrics(sensitive, synthetic, ["a"], k=11, length=1)["by_length"][1]
    assert m["rare_combination_leakage"] == 1  # "y" is rare in both
    assert m["count_preservation"] == (15 + 1) / 22
    assert m["mean_proportional_error"] == 5 / 20  # only "x" (>= k) is reportable
    assert m["suppressed_share"] == 0.0
    assert m["fabricated_share"] == 1 / 3  # "z" does not exist
