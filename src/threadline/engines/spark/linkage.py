"""Insights record linkage on Spark: the :class:`SparkLinkageBackend` of the linkage engine's backend seam.

The model, training, report and missed-link estimate are the engine's own
(:mod:`threadline.engines.insights.linkage`); ``link(store, backend="spark")`` or
``link(store, SparkLinkageBackend(spark))`` runs them here. Only the engine-specific parts live in this module:
loading the store into Spark, the Dice similarity of the Bloom filters in Spark SQL (filters as arrays of 32-bit
words, ``bit_count`` of their AND), the settings marked for translation to Spark SQL and writing the clusters.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from threadline.engines.insights.linkage import (
    DEFAULT_THRESHOLD,
    LINK_COLUMNS,
    LinkReport,
    link,
)
from threadline.engines.insights.linkage.backends import BLOOM_COLUMNS, DIFFERENT_KEYS, LINKABLE
from threadline.engines.insights.linkage.report import link_clusters_sql
from threadline.engines.insights.store import Store
from threadline.engines.spark.session import require_spark


def _words(column: str) -> str:
    """Spark SQL: a hex Bloom filter as an array of 32-bit words (BIGINT), NULL stays NULL."""
    return (f"transform(sequence(0, CAST(ceil(length({column}) / 8) AS INT) - 1), "
            f"i -> CAST(conv(substr({column}, i * 8 + 1, 8), 16, 10) AS BIGINT))")  # fmt: skip


def _popcount(column: str) -> str:
    return f"aggregate(transform({column}, x -> bit_count(x)), 0, (a, b) -> a + b)"


def _dice(left: str, right: str, n_left: str, n_right: str) -> str:
    common = f"aggregate(zip_with({left}, {right}, (x, y) -> bit_count(x & y)), 0, (a, b) -> a + b)"
    return f"(2.0 * {common} / nullif({n_left} + {n_right}, 0))"


_TEMPORARY_CHECKPOINT_DIRS: set[str] = set()  # checkpoint dirs this module set and removes after its run


class SparkLinkageBackend:
    """The linkage engine's ``LinkageBackend`` on Spark (Splink's Spark database API).

    ``spark`` is a SparkSession (default :func:`~threadline.engines.spark.session.spark_session`, ``local[2]``).
    ``break_lineage_method`` and ``num_partitions`` are Splink's: how each intermediate table (blocked pairs,
    predictions, every clustering round) is cut from the query plan that made it, and the repartition count
    after blocking (default: the parallelism).

    The default ``parquet`` writes each of those tables to the Spark checkpoint directory and reads it back, so
    the next query's plan starts from files. ``persist`` only caches the data: the logical plan keeps every step
    before it, and with 19 blocking rules and Splink's clustering rounds the driver runs out of heap analysing
    plans (2 GB at 200 records; issue #13). Without a checkpoint directory on the SparkContext, a temporary one
    is made by :meth:`load` and removed by :meth:`release`; on a cluster set one that the executors share
    (``spark.sparkContext.setCheckpointDir("hdfs://...")``).
    """

    name = "spark"

    def __init__(self, spark=None, *, break_lineage_method: str = "parquet", num_partitions: int | None = None):
        require_spark()
        from threadline.engines.spark.session import spark_session

        self.spark = spark or spark_session()
        self.break_lineage_method = break_lineage_method
        self.num_partitions = num_partitions
        self._cached: list = []
        self._checkpoint_dir: str | None = None

    def _ensure_checkpoint_dir(self) -> None:
        if self.break_lineage_method not in ("parquet", "checkpoint", "delta_lake_files"):
            return
        current = self.spark.sparkContext.getCheckpointDir()
        if not current or current in _TEMPORARY_CHECKPOINT_DIRS:  # none, or one an earlier run removed
            self._checkpoint_dir = tempfile.mkdtemp(prefix="threadline-link-")
            self.spark.sparkContext.setCheckpointDir(self._checkpoint_dir)
            _TEMPORARY_CHECKPOINT_DIRS.add(self.spark.sparkContext.getCheckpointDir())

    def dice_sql(self, column: str, other: str | None = None) -> str:
        # comparison levels are written in DuckDB's SQL (double-quoted identifiers) and translated by Splink
        b = other or column
        return _dice(f'"{column}_l"', f'"{b}_r"', f'"{column}_n_l"', f'"{b}_n_r"')

    def block_dice_sql(self, column: str, other: str | None = None) -> str:
        b = other or column
        return _dice(f"l.{column}", f"r.{b}", f"l.{column}_n", f"r.{b}_n")

    def prepare_settings(self, settings):
        """The shared settings, with their custom levels marked as DuckDB SQL so that Splink translates them.

        Spark reads a double-quoted name as a string, so Splink must translate the levels (sqlglot), which it
        does for levels that say which dialect they are written in. Nothing else in the settings changes.
        """
        from splink.internals.comparison_level_library import CustomLevel

        for comparison in settings.comparisons:
            for level in getattr(comparison, "_comparison_levels", []):
                if isinstance(level, CustomLevel) and level.base_dialect_str is None:
                    level.base_dialect_str = "duckdb"
        return settings

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def scalar(self, sql: str):
        return self.spark.sql(sql).first()[0]

    def _keep(self, df, view: str):
        df = df.persist()
        df.createOrReplaceTempView(view)
        self._cached.append((df, view))
        return df

    def load(self, store: Store) -> tuple[object, object, dict]:
        from pyspark.sql import functions as F
        from splink import SparkAPI

        files = store.batch_files()
        if not files:
            raise ValueError("the store has no records; import some first")
        self._ensure_checkpoint_dir()
        cols = ["record_id", "enc_key_id", *LINK_COLUMNS, *BLOOM_COLUMNS]
        df = self.spark.read.option("mergeSchema", "true").parquet(*[str(p.resolve()) for p in files])
        for c in cols:
            if c not in df.columns:
                df = df.withColumn(c, F.lit(None).cast("string"))
        all_records = self._keep(df.select(*cols), "all_records")
        if all_records.where("enc_key_id IS NOT NULL").select("enc_key_id").distinct().limit(2).count() > 1:
            raise ValueError(DIFFERENT_KEYS)
        blooms = ", ".join(f"{_words(b)} AS {b}" for b in BLOOM_COLUMNS)
        link_input = self.spark.sql(
            f"SELECT record_id AS unique_id, {', '.join(LINK_COLUMNS)}, {blooms} FROM all_records WHERE {LINKABLE}"  # noqa: S608
        )
        for b in BLOOM_COLUMNS:
            link_input = link_input.withColumn(f"{b}_n", F.expr(_popcount(b)))
        link_input = self._keep(link_input, "link_input")
        facts = {"records": all_records.count(), "encoded_records": link_input.count()}
        api = SparkAPI(spark_session=self.spark, break_lineage_method=self.break_lineage_method,
                       num_partitions_on_repartition=self.num_partitions,
                       register_udfs_automatically=False)  # fmt: skip
        return api, link_input, facts

    def save_clusters(self, clusters: str) -> None:
        self._keep(self.spark.sql(link_clusters_sql(clusters)), "link_clusters")

    def write_clusters(self, path: Path) -> None:
        """One Parquet file ordered by ``record_id``, as the DuckDB backend writes it: Spark writes parts next
        to it, the driver streams them into the file."""
        parts = Path(path).parent / "_spark_clusters"
        shutil.rmtree(parts, ignore_errors=True)
        self.spark.table("link_clusters").select("record_id", "cluster_id").orderBy("record_id").write.parquet(
            str(parts)
        )
        schema = pa.schema([("record_id", pa.string()), ("cluster_id", pa.string())])
        try:
            with pq.ParquetWriter(path, schema, compression="zstd") as writer:
                for p in sorted(parts.glob("part-*.parquet")):
                    writer.write_table(pq.read_table(p).select(schema.names).cast(schema))
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def release(self) -> None:
        for df, view in reversed(self._cached):
            self.spark.catalog.dropTempView(view)
            df.unpersist()
        self._cached.clear()
        if self._checkpoint_dir:
            for view in self.spark.catalog.listTables():  # Splink's tables read from the files about to go
                if view.isTemporary and view.name.startswith("__splink__"):
                    self.spark.catalog.dropTempView(view.name)
            shutil.rmtree(self._checkpoint_dir, ignore_errors=True)
            self._checkpoint_dir = None


def link_spark(store: Store | str | os.PathLike[str] | None = None, *, spark=None,
               break_lineage_method: str = "parquet", num_partitions: int | None = None,
               threshold: float = DEFAULT_THRESHOLD, **options) -> LinkReport:  # fmt: skip
    """``link(store, SparkLinkageBackend(spark, ...), threshold=..., **options)``: linkage on Spark, writing the
    same ``linkage/clusters.parquet``, ``model.json`` and ``report.json`` as the local backend."""
    backend = SparkLinkageBackend(spark, break_lineage_method=break_lineage_method, num_partitions=num_partitions)
    return link(store, backend, threshold=threshold, **options)
