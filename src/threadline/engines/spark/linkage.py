"""Insights record linkage with Splink's Spark backend: the same settings (``build_settings``) and training steps
as the DuckDB path, the same ``linkage/clusters.parquet``, ``model.json`` and ``report.json`` in the store.

Only the engine-specific parts live here: loading the store into Spark, the Dice similarity of the Bloom filters in
Spark SQL (filters as arrays of 32-bit words, ``bit_count`` of their AND), and the report queries in Spark SQL.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from threadline.engines.insights.linkage import (
    LinkReport,
    _Clock,
    blocking_rules,
    build_settings,
    evaluate_clusters,
    pair_cap,
    select_rules,
    train_and_predict,
    unscored_links_sql,
)
from threadline.engines.insights.linkage.backends import LINK_COLUMNS
from threadline.engines.insights.store import Store, as_store, refresh_catalogue
from threadline.engines.spark.session import require_spark

logger = logging.getLogger(__name__)


def _words(column: str) -> str:
    """Spark SQL: a hex Bloom filter as an array of 32-bit words (BIGINT), NULL stays NULL."""
    return (f"transform(sequence(0, CAST(ceil(length({column}) / 8) AS INT) - 1), "
            f"i -> CAST(conv(substr({column}, i * 8 + 1, 8), 16, 10) AS BIGINT))")  # fmt: skip


def _popcount(column: str) -> str:
    return f"aggregate(transform({column}, x -> bit_count(x)), 0, (a, b) -> a + b)"


def _dice(left: str, right: str, n_left: str, n_right: str) -> str:
    common = f"aggregate(zip_with({left}, {right}, (x, y) -> bit_count(x & y)), 0, (a, b) -> a + b)"
    return f"(2.0 * {common} / nullif({n_left} + {n_right}, 0))"


class SparkLinkageBackend:
    """The ``LinkageBackend`` of ``threadline.engines.insights.linkage.backends`` for Spark."""

    name = "spark"

    def __init__(self, spark=None, *, break_lineage_method: str = "persist", num_partitions: int | None = None):
        require_spark()
        from threadline.engines.spark.session import spark_session

        self.spark = spark or spark_session()
        self.break_lineage_method = break_lineage_method
        self.num_partitions = num_partitions

    def con(self):
        return self.spark

    def dice_sql(self, column: str, other: str | None = None) -> str:
        # comparison levels are written in DuckDB's SQL (double-quoted identifiers) and translated by Splink
        b = other or column
        return _dice(f'"{column}_l"', f'"{b}_r"', f'"{column}_n_l"', f'"{b}_n_r"')

    def block_dice_sql(self, column: str, other: str | None = None) -> str:
        b = other or column
        return _dice(f"l.{column}", f"r.{b}", f"l.{column}_n", f"r.{b}_n")

    def scalar(self, sql: str):
        return self.spark.sql(sql).first()[0]

    def load(self, store: Store) -> tuple[object, str, dict]:
        from pyspark.sql import functions as F
        from splink import SparkAPI

        files = store.batch_files()
        if not files:
            raise ValueError("the store has no records; import some first")
        cols = ["record_id", "enc_key_id", *LINK_COLUMNS, "bf_given", "bf_family"]
        df = self.spark.read.option("mergeSchema", "true").parquet(*[str(p.resolve()) for p in files])
        for c in cols:
            if c not in df.columns:
                df = df.withColumn(c, F.lit(None).cast("string"))
        all_records = df.select(*cols).persist()
        all_records.createOrReplaceTempView("all_records")
        keys = all_records.where("enc_key_id IS NOT NULL").select("enc_key_id").distinct().limit(2).collect()
        if len(keys) > 1:
            raise ValueError(
                "records were encoded with different linkage keys; encodings under different "
                "keys cannot be compared (re-encode with one shared key and the same Threadline version)"
            )
        link_input = self.spark.sql(
            f"""SELECT record_id AS unique_id, {", ".join(LINK_COLUMNS)},
                       {_words("bf_given")} AS bf_given, {_words("bf_family")} AS bf_family
                FROM all_records
                WHERE enc_key_id IS NOT NULL
                  AND (enc_given IS NOT NULL OR enc_family IS NOT NULL OR enc_dob IS NOT NULL)"""  # noqa: S608
        )
        link_input = link_input.withColumn("bf_given_n", F.expr(_popcount("bf_given")))
        link_input = link_input.withColumn("bf_family_n", F.expr(_popcount("bf_family"))).persist()
        link_input.createOrReplaceTempView("link_input")
        facts = {"records": all_records.count(), "encoded_records": link_input.count()}
        api = SparkAPI(spark_session=self.spark, break_lineage_method=self.break_lineage_method,
                       num_partitions_on_repartition=self.num_partitions,
                       register_udfs_automatically=False)  # fmt: skip
        return api, link_input, facts


def _translated(settings):
    """The shared settings, with their custom levels marked as DuckDB SQL so that Splink translates them.

    ``build_settings`` writes custom levels in DuckDB's dialect (double-quoted identifiers). Spark reads a
    double-quoted name as a string, so Splink must translate them (sqlglot) - which it does for levels that say
    which dialect they are written in. Nothing else in the settings changes.
    """
    from splink.internals.comparison_level_library import CustomLevel

    for comparison in settings.comparisons:
        for level in getattr(comparison, "_comparison_levels", []):
            if isinstance(level, CustomLevel) and level.base_dialect_str is None:
                level.base_dialect_str = "duckdb"
    return settings


def link_spark(store: Store | str | os.PathLike[str] | None = None, *, spark=None, threshold: float = 0.9,
               truth: str | os.PathLike[str] | None = None, seed: int = 42, max_training_pairs: float = 5e5,
               tf_adjustments: bool = True, break_lineage_method: str = "persist",
               num_partitions: int | None = None, max_pairs_per_rule: float | None = None) -> LinkReport:  # fmt: skip
    """Link every encoded record of the store on Spark; writes ``linkage/clusters.parquet`` and returns the report.

    Parameters as :func:`threadline.engines.insights.linkage.link` (``threshold``, ``truth``, ``seed``,
    ``max_training_pairs``, ``tf_adjustments``, ``max_pairs_per_rule``), plus ``spark`` (a SparkSession; default
    ``local[2]``), ``break_lineage_method`` (Splink's: ``persist`` locally, ``parquet`` or ``checkpoint`` with a
    checkpoint dir on a cluster) and ``num_partitions`` (Splink's repartition count after blocking; default the
    parallelism).
    """

    st = as_store(store).ensure()
    be = SparkLinkageBackend(spark, break_lineage_method=break_lineage_method, num_partitions=num_partitions)
    spark = be.spark
    clock = _Clock()
    try:
        db_api, link_input, facts = be.load(st)
        clock.lap("load")
        if facts["encoded_records"] < 2:
            raise ValueError("fewer than two records carry identifier encodings; nothing to link")
        sdf = db_api.register(link_input, table_name="threadline_link_input")
        rules, rule_notes = select_rules(be, blocking_rules(be), pair_cap(facts["encoded_records"], max_pairs_per_rule))
        settings = _translated(build_settings(be, tf_adjustments=tf_adjustments, rules=rules))
        linker, predictions, clusters, notes = train_and_predict(sdf, settings, clock, threshold=threshold, seed=seed,
                                                         max_training_pairs=max_training_pairs)  # fmt: skip
        notes = rule_notes + notes
        spark.table(clusters.physical_name).createOrReplaceTempView("threadline_clusters")
        spark.table(predictions.physical_name).createOrReplaceTempView("threadline_predictions")
        link_clusters = spark.sql(
            """SELECT a.record_id, coalesce(c.cluster_id, a.record_id) AS cluster_id, a.source
               FROM all_records a LEFT JOIN threadline_clusters c ON c.unique_id = a.record_id"""
        ).persist()
        link_clusters.createOrReplaceTempView("link_clusters")
        clock.lap("cluster")
        report = _report(spark, st, facts, threshold, notes)
        unscored = float(be.scalar(unscored_links_sql(rules, "threadline_predictions")) or 0.0)
        report.estimated_unscored_links = unscored
        report.expected_missed_links += unscored
        _write_clusters(link_clusters, st)
        model = linker.misc.save_model_to_json()
        (st.linkage_dir / "model.json").write_text(json.dumps(model, indent=2, default=str))
    finally:
        spark.catalog.dropTempView("link_clusters")
    if truth is not None:
        report.quality = evaluate_clusters(st, truth)
    clock.lap("report")
    report.seconds, report.cpu_seconds = clock.totals()
    (st.linkage_dir / "report.json").write_text(json.dumps(report.to_dict(), indent=2))
    refresh_catalogue(st)
    return report


def _report(spark, st: Store, facts: dict, threshold: float, notes: list[str]) -> LinkReport:
    t = float(threshold)
    pair = spark.sql(
        f"""SELECT count(*) AS n,
                   count_if(match_probability >= {t}) AS links,
                   avg(CASE WHEN match_probability >= {t} THEN match_probability END) AS precision,
                   coalesce(sum(CASE WHEN match_probability < {t} THEN match_probability END), 0) AS missed,
                   count_if(match_probability >= 0.5 AND match_probability < {t}) AS borderline
            FROM threadline_predictions"""  # noqa: S608
    ).first()
    n_clusters = spark.sql("SELECT count(DISTINCT cluster_id) AS n FROM link_clusters").first()["n"]
    sizes = spark.sql(
        """SELECT CASE WHEN n >= 5 THEN '5+' ELSE CAST(n AS STRING) END AS k, count(*) AS c
           FROM (SELECT cluster_id, count(*) AS n FROM link_clusters GROUP BY cluster_id) GROUP BY 1 ORDER BY 1"""
    ).collect()
    spans = spark.sql(
        """SELECT CAST(s AS STRING) AS k, count(*) AS c
           FROM (SELECT cluster_id, count(DISTINCT source) AS s FROM link_clusters GROUP BY cluster_id)
           GROUP BY 1 ORDER BY 1"""
    ).collect()
    report = LinkReport(
        backend="spark",
        records=facts["records"],
        encoded_records=facts["encoded_records"],
        clusters=n_clusters,
        estimated_duplicates=facts["records"] - n_clusters,
        threshold=threshold,
        pairs_scored=pair["n"],
        links=pair["links"],
        expected_precision=float(pair["precision"]) if pair["precision"] is not None else None,
        expected_missed_links=float(pair["missed"]),
        borderline_pairs=pair["borderline"],
        cluster_sizes={r["k"]: r["c"] for r in sizes},
        clusters_by_sources={r["k"]: r["c"] for r in spans},
        seconds={},
    )
    report.notes = notes
    return report


def _write_clusters(link_clusters, st: Store) -> None:
    """``clusters.parquet`` (record_id, cluster_id, ordered by record_id) as one file, like the DuckDB path."""
    parts = st.linkage_dir / "_spark_clusters"
    shutil.rmtree(parts, ignore_errors=True)
    link_clusters.select("record_id", "cluster_id").orderBy("record_id").write.parquet(str(parts))
    schema = pa.schema([("record_id", pa.string()), ("cluster_id", pa.string())])
    tmp = st.linkage_dir / ".clusters.parquet.tmp"
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for p in sorted(Path(parts).glob("part-*.parquet")):
            writer.write_table(pq.read_table(p).select(schema.names).cast(schema))
    os.replace(tmp, st.clusters_path)
    shutil.rmtree(parts, ignore_errors=True)
