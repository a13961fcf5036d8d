"""Parquet inputs given as URIs (object storage, HDFS; here file://) are read by Spark itself."""

from __future__ import annotations

import json
from collections import Counter

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.spark


def _rows(ws, name):
    t = pq.read_table(ws / f"{name}.parquet")
    return Counter(json.dumps(r, sort_keys=True, default=str) for r in t.to_pylist())


def test_uri_input_gives_the_local_engines_workspace(spark, tmp_path):
    from threadline.engines.online.scan import ScanOptions, run_scan
    from threadline.engines.online.synth import write_corpus
    from threadline.engines.spark import run_scan_spark

    corpus, _truth = write_corpus(500, 21, tmp_path / "ads.parquet")
    opts = ScanOptions(workers=1, batch_size=200, html_report=False)
    local = run_scan([corpus], tmp_path / "local", opts)
    remote = run_scan_spark([corpus.resolve().as_uri()], tmp_path / "spark", opts, spark=spark)
    assert remote["counts"] == {**local["counts"]}
    assert remote["batches"]["total"] == 3  # 200 + 200 + 100 rows of the one file
    assert remote["inputs"][0]["path"].startswith("file://")
    assert (tmp_path / "local" / "networks.csv").read_text() == (tmp_path / "spark" / "networks.csv").read_text()
    for name in ("ads", "entities", "indicators"):  # source file and row numbers included
        assert _rows(tmp_path / "local", name) == _rows(tmp_path / "spark", name)


def test_uri_input_with_a_missing_column_is_refused(spark, tmp_path):
    import pyarrow as pa

    from threadline.engines.online.readers import InputError
    from threadline.engines.online.scan import ScanOptions
    from threadline.engines.spark import run_scan_spark

    path = tmp_path / "no-id.parquet"
    pq.write_table(pa.table({"title": ["a"], "body": ["b"]}), path)
    with pytest.raises(InputError, match="missing column"):
        run_scan_spark([path.as_uri()], tmp_path / "ws", ScanOptions(html_report=False), spark=spark)
    with pytest.raises(InputError, match="cannot be read"):
        run_scan_spark([(tmp_path / "nowhere.parquet").as_uri()], tmp_path / "ws", ScanOptions(), spark=spark)
