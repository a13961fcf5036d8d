"""Record linkage with Splink's Spark backend gives the same clusters as the DuckDB backend."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.spark


def _clusters(path):
    groups: dict[str, set] = {}
    for r in pq.read_table(path).to_pylist():
        groups.setdefault(r["cluster_id"], set()).add(r["record_id"])
    return {frozenset(v) for v in groups.values()}


@pytest.fixture(scope="module")
def linked_both(spark, tmp_path_factory):
    from threadline.engines.insights import import_file, link
    from threadline.engines.insights.synthetic import generate, write_agency_files
    from threadline.engines.spark import link_spark

    base = tmp_path_factory.mktemp("spark-link")
    files = write_agency_files(generate(200, 2, seed=3), base / "synth")
    store = base / "store"
    for f in files:
        assert import_file(f, "htcds", f.stem, store).stored
    duck = link(store, truth=base / "synth" / "truth.csv")
    duck_clusters = _clusters(store / "linkage" / "clusters.parquet")
    try:
        remote = link_spark(store, spark=spark, truth=base / "synth" / "truth.csv")
    except Exception as exc:  # py4j's Java errors
        if "OutOfMemoryError" not in str(exc):
            raise
        # Known problem (issue #13): since linkage blocks with 19 rules (for FEBRL recall), the Spark driver runs
        # out of heap (2 GB) on the first query over Splink's predictions, even at 400 records. The DuckDB path
        # is unaffected. Any other error still fails, and the day this passes the tests below run in full.
        pytest.xfail("Spark linkage runs out of driver memory with the 19 blocking rules (issue #13)")
    return duck, duck_clusters, remote, _clusters(store / "linkage" / "clusters.parquet"), store


def test_same_clusters_as_duckdb(linked_both):
    duck, duck_clusters, remote, spark_clusters, _ = linked_both
    assert spark_clusters == duck_clusters
    assert remote.clusters == duck.clusters
    assert sum(len(c) > 1 for c in spark_clusters) > 10  # planted duplicates were found


def test_report_matches(linked_both):
    duck, _, remote, _, store = linked_both
    assert remote.backend == "spark"
    assert (remote.records, remote.encoded_records) == (duck.records, duck.encoded_records)
    assert remote.links == duck.links
    assert remote.cluster_sizes == duck.cluster_sizes
    assert remote.quality["f1"] == pytest.approx(duck.quality["f1"])
    assert (store / "linkage" / "model.json").exists()


def test_settings_are_the_duckdb_ones():
    from threadline.engines.insights.linkage import build_settings
    from threadline.engines.insights.linkage.backends import DuckDBBackend
    from threadline.engines.spark.linkage import SparkLinkageBackend, _translated

    duck = build_settings(DuckDBBackend())
    spark = _translated(build_settings(SparkLinkageBackend.__new__(SparkLinkageBackend)))
    assert [c.create_output_column_name() for c in duck.comparisons] == [
        c.create_output_column_name() for c in spark.comparisons]  # fmt: skip
    assert len(duck.blocking_rules_to_generate_predictions) == len(spark.blocking_rules_to_generate_predictions)
