"""A Spark scan that stops after the extraction stage is picked up from its intermediate Parquet."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.spark


def test_resume_after_a_failure_in_linking(spark, tmp_path, monkeypatch):
    from threadline.engines.online.scan import ScanOptions
    from threadline.engines.online.synth import write_corpus
    from threadline.engines.spark import run_scan_spark
    from threadline.engines.spark import scan as spark_scan

    corpus, _truth = write_corpus(300, 5, tmp_path / "ads.parquet")
    opts = ScanOptions(batch_size=100, html_report=False)
    ws = tmp_path / "ws"

    def broken(*args, **kwargs):
        raise RuntimeError("executor lost")

    monkeypatch.setattr(spark_scan.SparkBackend, "link_arrays", broken)
    with pytest.raises(RuntimeError):
        run_scan_spark([corpus], ws, opts, spark=spark)
    assert json.loads((ws / "scan.json").read_text())["status"] == "running"  # never looks complete
    assert (ws / "_spark" / "analysed" / "_SUCCESS").exists()

    monkeypatch.undo()
    resumed = run_scan_spark([corpus], ws, opts, spark=spark)
    assert resumed["status"] == "complete"
    assert resumed["batches"]["resumed_from_previous_run"] == resumed["batches"]["total"] > 1
    assert resumed["counts"]["balanced"] and resumed["counts"]["ads"] == 300

    fresh = run_scan_spark([corpus], tmp_path / "fresh", opts, spark=spark)
    assert fresh["batches"]["resumed_from_previous_run"] == 0
    assert (ws / "networks.csv").read_text() == (tmp_path / "fresh" / "networks.csv").read_text()
    assert not (ws / "_spark").exists()  # removed once the scan is complete


def test_changed_options_start_over(spark, tmp_path):
    from threadline.engines.online.scan import ScanOptions
    from threadline.engines.online.synth import write_corpus
    from threadline.engines.spark import run_scan_spark

    corpus, _truth = write_corpus(200, 6, tmp_path / "ads.parquet")
    ws = tmp_path / "ws"
    run_scan_spark([corpus], ws, ScanOptions(batch_size=100, html_report=False), spark=spark, keep_intermediate=True)
    again = run_scan_spark([corpus], ws, ScanOptions(batch_size=100, html_report=False, text_threshold=0.6),
                           spark=spark)  # fmt: skip
    assert again["batches"]["resumed_from_previous_run"] == 0
    unchanged = run_scan_spark([corpus], ws, ScanOptions(batch_size=100, html_report=False, resume=False),
                               spark=spark)  # fmt: skip
    assert unchanged["batches"]["resumed_from_previous_run"] == 0
