"""The Spark scan and the local scan give the same networks, ids, indicator hits and workspace files."""

from __future__ import annotations

import json
from collections import Counter

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.spark

N_ADS = 1200


@pytest.fixture(scope="module")
def scans(spark, tmp_path_factory):
    from threadline.engines.online.scan import ScanOptions, run_scan
    from threadline.engines.online.synth import write_corpus
    from threadline.engines.spark import run_scan_spark

    base = tmp_path_factory.mktemp("spark-scan")
    corpus, _truth = write_corpus(N_ADS, 11, base / "ads.parquet", chunk=400)
    opts = ScanOptions(workers=1, batch_size=400, html_report=False)
    local = run_scan([corpus], base / "local", opts)
    events = []
    remote = run_scan_spark([corpus], base / "spark", opts, spark=spark,
                            progress=lambda s, d, t: events.append(s))  # fmt: skip
    return base / "local", local, base / "spark", remote, events


def _rows(ws, name, drop=()):
    t = pq.read_table(ws / f"{name}.parquet")
    return Counter(json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True, default=str)
                   for r in t.to_pylist())  # fmt: skip


def _partition(ws):
    groups: dict[str, set] = {}
    for r in pq.read_table(ws / "ads.parquet", columns=["ad_id", "network_id"]).to_pylist():
        groups.setdefault(r["network_id"], set()).add(r["ad_id"])
    return {k: frozenset(v) for k, v in groups.items()}


def test_same_networks_and_stable_ids(scans):
    local_ws, _, spark_ws, _, _ = scans
    local, remote = _partition(local_ws), _partition(spark_ws)
    assert set(local.values()) == set(remote.values())  # same membership
    assert local == remote  # and the same stable network ids
    assert sum(len(v) > 1 for v in local.values()) > 20  # the corpus has real networks to find


def test_same_indicator_hits_and_entities(scans):
    local_ws, _, spark_ws, _, _ = scans
    assert _rows(local_ws, "indicators") == _rows(spark_ws, "indicators")
    assert _rows(local_ws, "entities") == _rows(spark_ws, "entities")


def test_same_ads_and_network_table(scans):
    local_ws, _, spark_ws, _, _ = scans
    drop = ("indicator_categories", "indicator_weight")  # order and float sum depend on hit order in a batch
    assert _rows(local_ws, "ads", drop) == _rows(spark_ws, "ads", drop)

    def cats(ws):
        t = pq.read_table(ws / "ads.parquet", columns=["ad_id", "indicator_categories", "indicator_weight"])
        return {r["ad_id"]: (sorted(r["indicator_categories"]), round(r["indicator_weight"], 9)) for r in t.to_pylist()}

    assert cats(local_ws) == cats(spark_ws)
    assert pq.read_schema(local_ws / "ads.parquet").equals(pq.read_schema(spark_ws / "ads.parquet"))
    local_net = pq.read_table(local_ws / "networks.parquet")
    spark_net = pq.read_table(spark_ws / "networks.parquet")
    assert local_net.schema.equals(spark_net.schema)
    assert local_net.num_rows == spark_net.num_rows
    assert local_net.select(["network_id", "n_ads", "risk_score"]).equals(
        spark_net.select(["network_id", "n_ads", "risk_score"])
    )
    assert (local_ws / "hubs.csv").read_text() == (spark_ws / "hubs.csv").read_text()
    for name in ("links", "boilerplate"):  # the same evidence and the same boilerplate set aside
        assert pq.read_table(local_ws / f"{name}.parquet").equals(pq.read_table(spark_ws / f"{name}.parquet"))


def test_summary_counts_and_stages(scans):
    _, local, spark_ws, remote, events = scans
    assert remote["counts"] == local["counts"]
    assert remote["engine"] == "spark" and remote["status"] == "complete"
    assert json.loads((spark_ws / "scan.json").read_text())["counts"] == local["counts"]
    assert list(dict.fromkeys(events)) == ["read+extract", "link", "write", "networks"]
    assert not (spark_ws / "_spark").exists()
    from threadline.engines.online.workspace import connect

    con = connect(spark_ws)
    assert con.execute("SELECT count(*) FROM ads").fetchone()[0] == local["counts"]["ads"]


def test_components_on_a_long_chain(spark):
    from threadline.engines.spark.components import connected_components

    edges = [(i, i + 1) for i in range(0, 40)] + [(100, 101), (102, 101), (7, 3)]
    df = spark.createDataFrame(edges, "u long, v long")
    labels = dict(connected_components(df).collect())
    assert {labels[i] for i in range(41)} == {0}
    assert labels[100] == labels[101] == labels[102] == 100
    assert len(labels) == 44
