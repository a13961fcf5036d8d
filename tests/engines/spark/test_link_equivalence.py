"""One conformance body for every linkage backend: the same store gives the same clusters and report.

The reference is a DuckDB run on the same store. The DuckDB parameter checks that a second run (in a copy of
the store, through a fresh backend object) repeats it exactly; the Spark parameter (marked ``spark``, skipped
without pyspark or Java) checks that Splink's Spark backend, run by the same engine code, agrees.
"""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from threadline.engines.insights import import_file, link
from threadline.engines.insights.linkage import DuckDBBackend, build_settings
from threadline.engines.insights.synthetic import generate, write_agency_files


def _clusters(path):
    groups: dict[str, set] = {}
    for r in pq.read_table(path).to_pylist():
        groups.setdefault(r["cluster_id"], set()).add(r["record_id"])
    return {frozenset(v) for v in groups.values()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    base = tmp_path_factory.mktemp("link-reference")
    files = write_agency_files(generate(200, 2, seed=3), base / "synth")
    store = base / "store"
    for f in files:
        assert import_file(f, "htcds", f.stem, store).stored
    report = link(store, truth=base / "synth" / "truth.csv")
    return base, report, _clusters(store / "linkage" / "clusters.parquet")


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def backend(request):
    if request.param == "spark":
        from threadline.engines.spark.linkage import SparkLinkageBackend

        return SparkLinkageBackend(request.getfixturevalue("spark"))
    return DuckDBBackend()


def test_backend_gives_the_reference_clusters_and_report(reference, backend, tmp_path):
    base, ref, ref_clusters = reference
    store = tmp_path / "store"
    shutil.copytree(base / "store", store)
    shutil.rmtree(store / "linkage")
    report = link(store, backend, truth=base / "synth" / "truth.csv")

    assert _clusters(store / "linkage" / "clusters.parquet") == ref_clusters
    assert sum(len(c) > 1 for c in ref_clusters) > 10  # planted duplicates were found
    assert report.backend == backend.name
    same = ("records", "encoded_records", "clusters", "estimated_duplicates", "pairs_scored", "links",
            "borderline_pairs", "cluster_sizes", "clusters_by_sources", "notes")  # fmt: skip
    assert {k: getattr(report, k) for k in same} == {k: getattr(ref, k) for k in same}
    assert report.expected_precision == pytest.approx(ref.expected_precision, rel=1e-3)
    assert report.expected_missed_links == pytest.approx(ref.expected_missed_links, rel=1e-3, abs=1e-3)
    assert report.estimated_unscored_links == pytest.approx(ref.estimated_unscored_links, rel=1e-3, abs=1e-3)
    assert report.quality == pytest.approx(ref.quality)
    assert (store / "linkage" / "model.json").exists() and (store / "linkage" / "report.json").exists()


@pytest.mark.spark
def test_settings_are_the_duckdb_ones():
    from threadline.engines.spark.linkage import SparkLinkageBackend

    spark_backend = SparkLinkageBackend.__new__(SparkLinkageBackend)
    duck = build_settings(DuckDBBackend())
    spark = spark_backend.prepare_settings(build_settings(spark_backend))
    assert [c.create_output_column_name() for c in duck.comparisons] == [
        c.create_output_column_name() for c in spark.comparisons]  # fmt: skip
    assert len(duck.blocking_rules_to_generate_predictions) == len(spark.blocking_rules_to_generate_predictions)


@pytest.mark.spark
def test_spark_cuts_the_plan_through_a_temporary_checkpoint_dir(spark, reference):
    """The default lineage cut writes Splink's tables under a checkpoint dir: made by load, removed by release."""
    from pathlib import Path

    from threadline.engines.insights.store import as_store
    from threadline.engines.spark.linkage import _TEMPORARY_CHECKPOINT_DIRS, SparkLinkageBackend

    base, ref, _ = reference
    before = spark.sparkContext.getCheckpointDir()
    backend = SparkLinkageBackend(spark)
    assert backend.break_lineage_method == "parquet"
    _, _, facts = backend.load(as_store(base / "store"))
    assert facts == {"records": ref.records, "encoded_records": ref.encoded_records}
    if before is None or before in _TEMPORARY_CHECKPOINT_DIRS:  # else a checkpoint dir the caller set is used
        made = Path(backend._checkpoint_dir)
        assert made.is_dir() and spark.sparkContext.getCheckpointDir() in _TEMPORARY_CHECKPOINT_DIRS
        backend.release()
        assert not made.exists()
    else:
        backend.release()
    assert not spark.catalog.tableExists("link_input")
