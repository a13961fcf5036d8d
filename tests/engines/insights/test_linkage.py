"""Linkage accuracy on planted duplicates, and the store after linking."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from threadline.engines.insights import (
    connect,
    evaluate_clusters,
    export_ctdc,
    import_file,
    link,
    records_table,
)
from threadline.engines.insights.linkage import BACKENDS, DuckDBBackend, build_settings, get_backend
from threadline.engines.insights.store import Store
from threadline.engines.insights.synthetic import generate, write_agency_files


def test_planted_duplicates_are_found(linked):
    store, report, _ = linked
    q = report.quality
    assert q["f1"] >= 0.95, report.summary()
    assert q["precision"] >= 0.97 and q["recall"] >= 0.93
    assert report.records == 4000 and report.encoded_records == 4000
    # the estimated number of distinct victims is close to the truth
    assert abs(report.clusters - q["true_people"]) / q["true_people"] < 0.03
    assert report.estimated_duplicates == report.records - report.clusters
    assert report.expected_precision is None or report.expected_precision > 0.9
    assert sum(report.cluster_sizes.values()) == report.clusters
    saved = json.loads((store / "linkage" / "report.json").read_text())
    assert saved["clusters"] == report.clusters
    assert (store / "linkage" / "model.json").exists()


def test_records_view_carries_clusters(linked):
    store, report, _ = linked
    t = records_table(store, ["record_id", "cluster_id"])
    assert t.num_rows == 4000
    assert len(set(t["cluster_id"].to_pylist())) == report.clusters
    con = connect(store)
    spans = con.execute("SELECT max(n) FROM (SELECT count(DISTINCT source) n FROM records GROUP BY cluster_id)")
    assert spans.fetchall()[0][0] >= 2  # some victims were seen by several agencies
    con.close()


def test_evaluate_clusters_matches_the_report(linked):
    store, report, synth = linked
    assert evaluate_clusters(store, synth / "truth.csv")["f1"] == pytest.approx(report.quality["f1"])


def test_dedupe_export_counts_each_victim_once(linked, tmp_path):
    store, report, _ = linked
    assert export_ctdc(store, tmp_path / "all.csv") == 4000
    assert export_ctdc(store, tmp_path / "once.csv", dedupe=True) == report.clusters
    text = (tmp_path / "once.csv").read_text()
    assert "enc_" not in text and "bf_" not in text


def test_exact_duplicates_are_linked_perfectly(tmp_path):
    files = write_agency_files(generate(800, 2, seed=3, error_rate=0.0), tmp_path / "synth")
    for f in files:
        assert import_file(f, "htcds", f.stem, tmp_path / "store").stored
    report = link(tmp_path / "store", truth=tmp_path / "synth" / "truth.csv")
    assert report.quality["f1"] > 0.99


def test_records_under_different_keys_are_not_compared(tmp_path):
    a = generate(300, 1, seed=1)
    b = generate(300, 1, seed=2)  # the synthetic demo key depends on the seed
    store = Store(tmp_path / "store").ensure()
    for data, name in ((a, "one"), (b, "two")):
        files = write_agency_files(data, tmp_path / name)
        assert import_file(files[0], "htcds", name, tmp_path / name / "store").stored
        # (an import refuses a file under another key than the store's: such a store is put together by hand)
        for batch in (tmp_path / name / "store" / "batches").glob("*.*"):
            shutil.copy(batch, store.batches_dir / batch.name)
    with pytest.raises(ValueError, match="different linkage keys"):
        link(tmp_path / "store")


def test_store_without_encodings_cannot_be_linked(tmp_path):
    (tmp_path / "h.csv").write_text("case_id,gender\n1,Female\n2,Male\n")
    assert import_file(tmp_path / "h.csv", "htcds", "ngo", tmp_path / "store").stored
    with pytest.raises(ValueError):
        link(tmp_path / "store")
    with pytest.raises(ValueError):
        link(tmp_path / "empty")


def test_backend_seam(monkeypatch):
    with pytest.raises(ValueError, match="unknown linkage backend"):
        get_backend("oracle")
    backend = DuckDBBackend()
    assert get_backend(backend) is backend  # a backend object is used as it is
    # named backends may be "module:Class", imported when first asked for: the engine never imports Spark
    monkeypatch.setitem(BACKENDS, "ordered", "collections:OrderedDict")
    assert get_backend("ordered", a=1) == {"a": 1}
    assert BACKENDS["spark"] == "threadline.engines.spark.linkage:SparkLinkageBackend"
    import threadline.engines.spark.session as session
    from threadline.engines.spark import INSTALL_HINT, SparkUnavailable

    monkeypatch.setattr(session, "spark_missing_reason", lambda: f"pyspark is not installed: {INSTALL_HINT}")
    with pytest.raises(SparkUnavailable, match="threadline\\[spark\\]"):
        get_backend("spark")
    settings = build_settings(DuckDBBackend())
    names = [c.create_output_column_name() for c in settings.comparisons]
    assert names[:3] == ["given_name", "family_name", "date_of_birth"]


def test_the_engine_does_not_import_spark():
    code = (
        "import sys, threadline.engines.insights as i, threadline.engines.insights.linkage as l; "
        "assert not [m for m in sys.modules if m.startswith(('threadline.engines.spark', 'pyspark'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
