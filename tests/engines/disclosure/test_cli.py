from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from threadline.cli import app

from .conftest import make_records

runner = CliRunner()


def write_ctdc_csv(path, n=300, seed=1):
    t = make_records(n, seed=seed)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(t.column_names)
        for row in t.to_pylist():
            w.writerow(["-99" if v is None else v for v in row.values()])


def test_release_with_k_from_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    src = tmp_path / "cases.csv"
    write_ctdc_csv(src)
    out = tmp_path / "out" / "by-gender-age.csv"
    syn = tmp_path / "out" / "synthetic.csv"
    result = runner.invoke(
        app,
        [
            "insights",
            "release",
            "--by",
            "gender,ageBroad",
            "--input",
            str(src),
            "--out",
            str(out),
            "--synthetic",
            str(syn),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert rows[0].keys() >= {"gender", "ageBroad", "count", "status"}
    for row in rows:
        assert row["status"] == "suppressed" or int(row["count"]) == 0 or int(row["count"]) >= 11
    assert (tmp_path / "data" / "disclosure" / "release-ledger.json").exists()
    assert syn.exists()


def test_release_with_epsilon_and_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    src = tmp_path / "cases.parquet"
    pq.write_table(make_records(200, seed=3), src)
    budget = tmp_path / "budget.json"
    args = ["insights", "release", "--by", "gender", "--input", str(src), "--budget-file", str(budget)]
    first = runner.invoke(app, [*args, "--epsilon", "3", "--total-epsilon", "4", "--out", str(tmp_path / "a.csv")])
    assert first.exit_code == 0, first.output
    assert "epsilon=3" in first.output
    rows = list(csv.DictReader((tmp_path / "a.csv").open()))
    assert all(r["accuracy"] and r["confidence"] == "95%" for r in rows)
    second = runner.invoke(app, [*args, "--epsilon", "3", "--out", str(tmp_path / "b.csv")])
    assert second.exit_code == 2
    assert "exceed" in second.output
    assert not (tmp_path / "b.csv").exists()


def test_release_rejects_bad_options(tmp_path, monkeypatch):
    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    src = tmp_path / "cases.csv"
    write_ctdc_csv(src, n=20)
    out = str(tmp_path / "x.csv")
    bad_field = runner.invoke(app, ["insights", "release", "--by", "name", "--input", str(src), "--out", out])
    assert bad_field.exit_code != 0 and "not allowed" in bad_field.output
    both = runner.invoke(
        app, ["insights", "release", "--by", "gender", "--input", str(src), "--k", "11", "--epsilon", "1", "--out", out]
    )
    assert both.exit_code != 0 and "not both" in both.output


def test_release_from_an_empty_store_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["insights", "release", "--by", "gender", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0
    assert "no records" in result.output or "not available" in result.output


def test_release_reads_the_insights_store(tmp_path, monkeypatch):
    store = pytest.importorskip("threadline.engines.insights.store")
    seen = {}

    def fake_records_table(root):
        seen["root"] = root
        return make_records(300, seed=8)

    monkeypatch.setattr(store, "records_table", fake_records_table)
    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "store.csv"
    result = runner.invoke(app, ["insights", "release", "--by", "gender", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert seen["root"] == tmp_path / "data" / "insights"
    assert out.read_text().startswith("gender,count,status")


def test_release_and_synthetic_csvs_are_safe_in_a_spreadsheet(tmp_path, monkeypatch):
    """A category read from a partner file comes back as text, never as a formula (issue #18)."""
    from tests.csv_safety import HOSTILE, assert_spreadsheet_safe

    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    t = make_records(300, seed=1)
    genders = [HOSTILE[0] if g == "Female" else g for g in t.column("gender").to_pylist()]
    src = tmp_path / "cases.parquet"
    pq.write_table(t.set_column(t.schema.get_field_index("gender"), "gender", pa.array(genders)), src)
    out, syn = tmp_path / "by-gender.csv", tmp_path / "synthetic.csv"
    args = ["insights", "release", "--by", "gender", "--input", str(src), "--out", str(out), "--synthetic", str(syn)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert_spreadsheet_safe(out.read_text(), must_contain=(HOSTILE[0],))
    assert_spreadsheet_safe(syn.read_text(), must_contain=(HOSTILE[0],))
