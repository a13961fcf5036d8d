"""The online scan's Spark backend (:class:`SparkBackend`): the engine's batch functions mapped with ``mapInArrow``.

This module implements :class:`threadline.engines.online.backend.ScanBackend`; the driver is the engine's
:func:`~threadline.engines.online.scan.run_scan` (fingerprint, resume, linking, the shared stages after it and the
summary), so the two backends cannot drift apart. What Spark does in each stage:

1. read+extract - the driver plans tasks with ``readers.iter_tasks`` (the local task ids, so the local row order);
   executors run ``readers.records_of`` and ``analyse.analyse_records`` on each task inside ``mapInArrow`` and
   return one row per ad (the ad, its entities and indicators nested, its identifier keys, MinHash signature
   and LSH band keys). Parquet inputs given as URIs (object storage, HDFS) are read by Spark itself and cut
   into tasks of ``batch_size`` rows per file (``applyInArrow``, same functions). The result is written once to
   ``<out>/_spark/analysed`` (Parquet), which a rerun after an interruption reuses.
2. link - duplicate ids (the first one in input order is kept) in Spark; then the kept ads' identifier keys,
   MinHash signatures, band keys and word 3-gram hashes go to the driver, which runs the local
   :func:`link.link` (boilerplate learning, text clusters without chaining, hub tests) and
   :func:`link.stable_ids`: the same code, so the same networks. The driver holds about 300 bytes per ad plus
   its shingles (4 bytes each) for this stage; distributing boilerplate learning and the text clusters is the
   next step for corpora beyond a few tens of millions of ads.
3. write - Spark writes ads/entities/indicators; the driver streams the part files into the workspace's single
   Parquet files (the layout of ``run_scan``), cast to the local schemas.
4. networks, report - the engine's shared functions over ``ads.parquet`` on the driver (DuckDB): per-network
   features, risk, ``networks.parquet``, ``workspace.duckdb`` and ``report.html``. One row per network, so it
   stays small next to the ads; at billions of ads this is the part to move into Spark next.

The engine finds this module by name (``run_scan(..., backend="spark")``) only when it is asked for; importing
it needs pyspark and Java (:class:`~threadline.engines.spark.session.SparkUnavailable` with the install hint).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from threadline.engines import csvsafe
from threadline.engines.online import readers
from threadline.engines.online.analyse import ADS_SCHEMA, ENTITIES_SCHEMA, INDICATORS_SCHEMA, LINK_KINDS, link_key
from threadline.engines.online.backend import LinkArrays, Mapped, ScanPlan, Written
from threadline.engines.online.images import ImagePolicy
from threadline.engines.online.local import DUPLICATE_REASON
from threadline.engines.online.minhash import BANDS, NUM_PERM
from threadline.engines.online.scan import ScanOptions, run_scan
from threadline.engines.spark.session import require_spark


# ------------------------------------------------------------------------------------------ executor side
def _nested_schema(schema: pa.Schema) -> pa.DataType:
    return pa.struct([f for f in schema if f.name != "row"])


ANALYSED_SCHEMA = pa.schema([
    ("_kind", pa.string()), ("_task", pa.string()), ("_row", pa.int64()), ("_id_hash", pa.int64()),
    ("_sig", pa.list_(pa.int32())), ("_bands", pa.list_(pa.int64())), ("_keys", pa.list_(pa.int64())),
    ("_key_kinds", pa.list_(pa.int8())), ("_shingles", pa.list_(pa.int32())),
    ("ad", pa.struct(list(ADS_SCHEMA))), ("entities", pa.list_(_nested_schema(ENTITIES_SCHEMA))),
    ("indicators", pa.list_(_nested_schema(INDICATORS_SCHEMA))), ("_stats", pa.string()),
])  # fmt: skip

_EXEC: dict = {}


def _lexicon(paths):
    key = json.dumps(paths)
    if _EXEC.get("lexicon_key") != key:
        from threadline.engines.online.lexicon import load_lexicon

        _EXEC["lexicon"] = load_lexicon(paths)
        _EXEC["lexicon_key"] = key
    return _EXEC["lexicon"]


def _lists(values: pa.Array, rows: np.ndarray, n: int) -> pa.Array:
    """Group ``values`` (one per item, item i belongs to ad ``rows[i]``) into one list per ad, keeping order."""
    order = np.argsort(rows, kind="stable")
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(order)))


def _nested(tbl: pa.Table, n: int) -> pa.Array:
    rows = tbl["row"].to_numpy().astype(np.int64)
    t = tbl.drop_columns(["row"])
    struct = pa.StructArray.from_arrays([c.combine_chunks() for c in t.columns], names=t.column_names)
    return _lists(struct, rows, n)


def _fixed_lists(flat: np.ndarray, n: int, width: int, typ: pa.DataType) -> pa.Array:
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat.ravel(), typ))


def _ad_batch(task_id: str, res) -> pa.RecordBatch:
    n = res.ads.num_rows
    ad = pa.StructArray.from_arrays([c.combine_chunks() for c in res.ads.columns], fields=list(ADS_SCHEMA))
    cols = {
        "_kind": pa.array(["ad"] * n, pa.string()),
        "_task": pa.array([task_id] * n, pa.string()),
        "_row": pa.array(np.arange(n, dtype=np.int64)),
        "_id_hash": pa.array(res.id_hash.view(np.int64)),
        "_sig": _fixed_lists(res.sig.astype(np.int32), n, NUM_PERM, pa.int32()),
        "_bands": _fixed_lists(res.bands.view(np.int64), n, BANDS, pa.int64()),
        "_keys": _lists(pa.array(res.keys.view(np.int64)), res.key_rows.astype(np.int64), n),
        "_key_kinds": _lists(pa.array(res.key_kinds), res.key_rows.astype(np.int64), n),
        "_shingles": pa.ListArray.from_arrays(
            pa.array(np.concatenate([[0], np.cumsum(res.n_shingles)]).astype(np.int32)),
            pa.array(res.shingles.view(np.int32)),
        ),
        "ad": ad,
        "entities": _nested(res.entities, n),
        "indicators": _nested(res.indicators, n),
        "_stats": pa.nulls(n, pa.string()),
    }
    return pa.RecordBatch.from_arrays([cols[f.name].cast(f.type) for f in ANALYSED_SCHEMA], schema=ANALYSED_SCHEMA)


def _stats_batch(task_id: str, stats: dict) -> pa.RecordBatch:
    arrays = []
    for f in ANALYSED_SCHEMA:
        if f.name == "_kind":
            arrays.append(pa.array(["stats"], pa.string()))
        elif f.name == "_task":
            arrays.append(pa.array([task_id], pa.string()))
        elif f.name == "_stats":
            arrays.append(pa.array([json.dumps(stats, ensure_ascii=False)], pa.string()))
        else:
            arrays.append(pa.nulls(1, f.type))
    return pa.RecordBatch.from_arrays(arrays, schema=ANALYSED_SCHEMA)


def _analyse_partition(batches, opts: dict):
    """mapInArrow body: the local worker's work (``records_of`` + ``analyse_records``) for each task row."""
    from threadline.engines.online.analyse import analyse_records

    lexicon = _lexicon(opts["lexicons"])
    for batch in batches:
        for task_id, blob in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            t0 = time.perf_counter()
            task = pickle.loads(blob)  # noqa: S301 - written by our own driver in this run
            recs, srcs, rejects = readers.records_of(task, opts["field_map"], opts["encoding"])
            res = analyse_records(recs, srcs, lexicon, opts["default_region"], ImagePolicy(**opts["images"]))
            yield _ad_batch(task_id, res)
            yield _stats_batch(task_id, _task_stats(task_id, task.file.path, task.n_input, recs, rejects, t0))


_URI_COLS = ("_tl_task", "_tl_file", "_tl_row")


def _analyse_group(tbl: pa.Table, opts: dict) -> pa.Table:
    """applyInArrow body for inputs read by Spark (object storage): one task = one chunk of one file's rows."""
    from threadline.engines.online.analyse import analyse_records

    t0 = time.perf_counter()
    tbl = tbl.sort_by("_tl_row")
    task_id = tbl["_tl_task"][0].as_py()
    path = tbl["_tl_file"][0].as_py()
    rows = tbl["_tl_row"].to_pylist()
    inv = {v: k for k, v in opts["field_map"].items()}  # column name -> field name
    recs: list[dict] = []
    srcs: list[tuple[str, int]] = []
    rejects: list[dict] = []
    readers.accept_table(
        tbl.drop_columns(list(_URI_COLS)), [r + 1 for r in rows], _uri_file(path), inv, recs, srcs, rejects
    )
    res = analyse_records(recs, srcs, _lexicon(opts["lexicons"]), opts["default_region"], ImagePolicy(**opts["images"]))
    stats = _task_stats(task_id, path, len(rows), recs, rejects, t0)
    return pa.Table.from_batches([_ad_batch(task_id, res), _stats_batch(task_id, stats)], schema=ANALYSED_SCHEMA)


def _uri_file(path: str) -> readers.InputFile:
    """An input read by Spark: the driver does not know its size or time (not needed past extraction)."""
    return readers.InputFile(0, path, "parquet", False, 0, 0.0)


def _task_stats(task_id: str, path: str, n_input: int, recs: list, rejects: list, t0: float) -> dict:
    return {"task": task_id, "file": os.path.basename(path), "n_input": n_input, "n_read": len(recs),
            "n_rejected": len(rejects), "seconds": round(time.perf_counter() - t0, 3), "rejects": rejects}  # fmt: skip


def _uri_tasks(spark, uris: list[str], opts: ScanOptions, exec_opts: dict):
    """Parquet inputs on object storage or HDFS, read by Spark's own reader and cut into tasks of ``batch_size``
    rows of one file (``_metadata.row_index`` keeps each file's row order, so lines in rejects are row numbers)."""
    from pyspark.sql import functions as F

    try:
        df = spark.read.parquet(*uris)
    except Exception as exc:  # AnalysisException for a missing path or a non-Parquet file
        raise readers.InputError(
            f"{', '.join(uris)}: cannot be read as Parquet by Spark ({type(exc).__name__})"
        ) from None
    readers.check_columns(_uri_file(uris[0]), df.columns, opts.field_map)
    chunk = F.lpad((F.col("_metadata.row_index") / F.lit(opts.batch_size)).cast("long").cast("string"), 12, "0")
    tagged = df.select(
        "*",
        F.concat(F.lit("~"), F.col("_metadata.file_path"), F.lit("|"), chunk).alias("_tl_task"),
        F.col("_metadata.file_path").alias("_tl_file"),
        F.col("_metadata.row_index").alias("_tl_row"),
    )
    return tagged.groupBy("_tl_task").applyInArrow(lambda t: _analyse_group(t, exec_opts),
                                                   _spark_schema(ANALYSED_SCHEMA))  # fmt: skip


# ------------------------------------------------------------------------------------------ driver side
def _spark_schema(schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _link_arrays(kept) -> LinkArrays:
    """The kept ads' linking arrays on the driver, in row order (``g``)."""
    tbl = kept.select("g", "_id_hash", "_keys", "_key_kinds", "_sig", "_bands", "_shingles").orderBy("g").toArrow()
    n = tbl.num_rows

    def flat(col: str, dtype) -> np.ndarray:
        arr = tbl[col].combine_chunks()
        return arr.flatten().to_numpy(zero_copy_only=False).astype(dtype) if n else np.zeros(0, dtype)

    def lengths(col: str) -> np.ndarray:
        return tbl[col].combine_chunks().value_lengths().fill_null(0).to_numpy(zero_copy_only=False) if n else \
            np.zeros(0, np.int64)  # fmt: skip

    n_keys = lengths("_keys").astype(np.int64)
    n_sh = lengths("_shingles").astype(np.int64)
    sh_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(n_sh, out=sh_offsets[1:])
    return LinkArrays(
        key_rows=np.repeat(np.arange(n, dtype=np.int64), n_keys), keys=flat("_keys", np.int64).view(np.uint64),
        key_kinds=flat("_key_kinds", np.int8), sig=flat("_sig", np.int32).astype(np.uint16).reshape(n, NUM_PERM),
        bands=flat("_bands", np.int64).view(np.uint64).reshape(n, BANDS),
        shingles=flat("_shingles", np.int32).view(np.uint32), sh_offsets=sh_offsets,
        id_hash=tbl["_id_hash"].to_numpy().view(np.uint64) if n else np.zeros(0, np.uint64),
        keep=np.ones(n, dtype=bool),
        extra={"g": tbl["g"].to_numpy().astype(np.int64) if n else np.zeros(0, np.int64)},
    )  # fmt: skip


def _merge_parts(part_dir: Path, target: Path, schema: pa.Schema) -> int:
    """Stream Spark's part files into one Parquet file with the local engine's schema."""
    tmp = target.with_name(target.name + ".tmp")
    n = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for p in sorted(part_dir.glob("part-*.parquet")):
            pf = pq.ParquetFile(p)
            for g in range(pf.num_row_groups):
                t = pf.read_row_group(g).select(schema.names)
                writer.write_table(t.cast(schema))
                n += t.num_rows
        if n == 0:
            writer.write_table(schema.empty_table())
    tmp.replace(target)
    return n


class SparkBackend:
    """The scan's batches on Spark executors (``mapInArrow`` over the local batch functions), the per-ad files
    written by Spark; linking and the shared stages stay the engine's (see the module docstring).

    ``spark``: a SparkSession (default: :func:`spark_session` with ``local[2]``). ``checkpoint_dir`` (an
    ``s3a://`` or HDFS path) is set as the context's checkpoint directory, as a cluster should have.
    ``keep_intermediate`` keeps ``<out>/_spark`` after a complete scan.
    """

    name = "spark"
    work_dir_name = "_spark"
    takes_uris = True

    def __init__(self, spark=None, checkpoint_dir: str | None = None, keep_intermediate: bool = False) -> None:
        require_spark()
        from threadline.engines.spark.session import spark_session

        self.spark = spark or spark_session()
        if checkpoint_dir:
            self.spark.sparkContext.setCheckpointDir(checkpoint_dir)
        self.keep_intermediate = keep_intermediate
        self.workers = self.spark.sparkContext.defaultParallelism
        self._work: Path | None = None
        self._kept = None
        self._dup_rejects: list[dict] = []
        self._stats: list[dict] = []
        self._g = np.zeros(0, np.int64)
        self._batch_size = 0
        self._task_seconds = 0.0
        self._volumes: dict = {}

    # ---- stage 1
    def map_batches(self, plan: ScanPlan, clock, cancel_check) -> Mapped:
        from pyspark.sql.types import BinaryType, StringType, StructField, StructType

        spark, opts, work = self.spark, plan.options, plan.work
        self._work, self._batch_size = work, plan.batch_size
        clock.start("read+extract")
        # the extraction output of an interrupted run of the same inputs and options is reused (Spark's committer
        # writes _SUCCESS only when every task's output is in place), so only linking and writing rerun
        reuse = plan.resumed and (work / "analysed" / "_SUCCESS").exists()
        if not reuse:
            tasks = []
            for f in plan.files:
                for t in readers.iter_tasks(f, plan.batch_size, opts.max_line_bytes, opts.field_map, opts.encoding):
                    tasks.append((t.task_id, pickle.dumps(t)))
            tasks.sort()
            exec_opts = opts.worker_options()
            parts = []
            if tasks or not plan.uris:
                task_schema = StructType([StructField("task_id", StringType()), StructField("task", BinaryType())])
                n_slices = max(1, min(len(tasks), 10_000))
                task_df = spark.createDataFrame(spark.sparkContext.parallelize(tasks, n_slices), task_schema)
                parts.append(task_df.mapInArrow(lambda it: _analyse_partition(it, exec_opts),
                                                _spark_schema(ANALYSED_SCHEMA)))  # fmt: skip
            if plan.uris:
                parts.append(_uri_tasks(spark, plan.uris, opts, exec_opts))
            analysed = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
            analysed.write.mode("overwrite").parquet(str(work / "analysed"))
        raw = spark.read.parquet(str(work / "analysed"))
        stats = sorted((json.loads(r["_stats"]) for r in raw.where("_kind = 'stats'").select("_stats").collect()),
                       key=lambda s: s["task"])  # fmt: skip
        self._stats = stats
        self._task_seconds = round(sum(s["seconds"] for s in stats), 3)
        clock.end()
        return Mapped(stats=[{k: v for k, v in s.items() if k != "rejects"} for s in stats],
                      n_resumed=len(stats) if reuse else 0)  # fmt: skip

    # ---- stage 2
    def link_arrays(self) -> LinkArrays:
        """Duplicate ids dropped in Spark (the first in input order is kept); the kept ads' keys, signatures and
        shingles go to the driver in row order."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import LongType, StringType, StructField, StructType

        spark = self.spark
        raw = spark.read.parquet(str(self._work / "analysed"))
        offsets, acc = [], 0
        for s in self._stats:
            offsets.append((s["task"], acc))
            acc += s["n_read"]
        off_schema = StructType([StructField("_task", StringType()), StructField("_offset", LongType())])
        off_df = spark.createDataFrame(offsets or [("", 0)], off_schema)
        ads = raw.where("_kind = 'ad'").join(F.broadcast(off_df), "_task")
        ads = ads.withColumn("g", F.col("_offset") + F.col("_row"))
        first = ads.groupBy("_id_hash").agg(F.min("g").alias("g_first"))
        ads = ads.join(first, "_id_hash").withColumn("_kept", F.col("g") == F.col("g_first")).localCheckpoint()
        self._kept = ads.where("_kept")
        dup_rows = ads.where(~F.col("_kept")).select("g", "ad.source_file", "ad.source_line", "ad.ad_id").orderBy("g")
        self._dup_rejects = [{"file": r["source_file"], "line": r["source_line"], "reason": DUPLICATE_REASON,
                              "id": r["ad_id"]} for r in dup_rows.collect()]  # fmt: skip
        arrays = _link_arrays(self._kept)
        self._g = arrays.extra["g"]
        self._volumes = {"ads_linked_on_driver": arrays.n, "key_rows": len(arrays.keys),
                         "shingles": len(arrays.shingles)}  # fmt: skip
        return arrays

    # ---- stage 3
    def write(self, out: Path, arrays: LinkArrays, network_ids: np.ndarray) -> Written:
        from pyspark.sql import functions as F

        work = self._work
        nets = self.spark.createDataFrame(
            pa.table({"g": pa.array(self._g), "network_id": pa.array(network_ids.tolist(), pa.string())})
        )
        kept_n = self._kept.join(nets, "g")
        ads_out = kept_n.select("g", "ad.*", "network_id").orderBy("g").drop("g")
        ads_out.write.mode("overwrite").parquet(str(work / "ads"))
        for name in ("entities", "indicators"):
            (kept_n.select("g", F.posexplode(name).alias("i", "x"), "network_id").orderBy("g", "i")
             .select("x.*", "network_id").write.mode("overwrite").parquet(str(work / name)))  # fmt: skip
        nid = pa.field("network_id", pa.string())
        _merge_parts(work / "ads", out / "ads.parquet", ADS_SCHEMA.append(nid))
        n_ent = _merge_parts(work / "entities", out / "entities.parquet", ENTITIES_SCHEMA.remove(1).append(nid))
        n_ind = _merge_parts(work / "indicators", out / "indicators.parquet", INDICATORS_SCHEMA.remove(1).append(nid))
        _write_networks_csv(out)
        with open(out / "rejects.jsonl.tmp", "w", encoding="utf-8") as fh:
            for s in self._stats:
                for r in s["rejects"]:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            for r in self._dup_rejects:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        (out / "rejects.jsonl.tmp").replace(out / "rejects.jsonl")
        return Written(n_duplicates=len(self._dup_rejects), n_entities=n_ent, n_indicators=n_ind)

    def resolve_keys(self, arrays: LinkArrays, rows_keys: list[tuple[int, int]]) -> dict[int, tuple[str, str]]:
        from pyspark.sql import functions as F

        if not rows_keys:
            return {}
        wanted = {(int(self._g[row]), key) for row, key in rows_keys}
        examples = sorted({g for g, _key in wanted})
        ents = (self._kept.where(F.col("g").isin(examples)).select("g", F.explode("entities").alias("e"))
                .select("g", "e.kind", "e.value").collect())  # fmt: skip
        resolved: dict[int, tuple[str, str]] = {}
        for r in ents:
            if r["kind"] in LINK_KINDS:
                lk = link_key(r["kind"], r["value"])
                if (r["g"], lk) in wanted:
                    resolved[lk] = (r["kind"], r["value"])
        return resolved

    def finish(self, out: Path) -> None:
        if not self.keep_intermediate:
            shutil.rmtree(self._work, ignore_errors=True)

    def summary(self) -> dict:
        return {"spark": {"master": self.spark.sparkContext.master, "default_parallelism": self.workers,
                          "batch_size": self._batch_size, "task_seconds": self._task_seconds,
                          "volumes": self._volumes}}  # fmt: skip


def run_scan_spark(inputs: list[str | Path], out_dir: str | Path, options: ScanOptions | None = None, *,
                   spark=None, progress=None, checkpoint_dir: str | None = None,
                   keep_intermediate: bool = False) -> dict:  # fmt: skip
    """:func:`threadline.engines.online.scan.run_scan` with a :class:`SparkBackend`: same inputs, options and
    workspace files (``workers`` is ignored: Spark decides the parallelism and retries failed tasks).

    With ``resume`` (the default), a run that stopped after the extraction stage (driver crash, Ctrl-C, a failed
    link job) is picked up from ``<out>/_spark/analysed`` when the inputs and options are the same; the
    ``batches`` count in ``scan.json`` says so. Parquet inputs given as URIs (``s3a://``, ``hdfs://``,
    ``file://`` ...) are read by Spark; other input paths must be readable by the driver and every executor (a
    shared file system or a mount of the object store).
    """
    backend = SparkBackend(spark, checkpoint_dir=checkpoint_dir, keep_intermediate=keep_intermediate)
    return run_scan(inputs, out_dir, options, progress_callback=progress, backend=backend)


def _write_networks_csv(out: Path) -> None:
    tmp = out / "networks.csv.tmp"
    pf = pq.ParquetFile(out / "ads.parquet")
    schema = pa.schema([("ad_id", pa.string()), ("network_id", pa.string())])
    with pacsv.CSVWriter(str(tmp), schema, write_options=pacsv.WriteOptions(quoting_style="needed")) as w:
        for g in range(pf.num_row_groups):
            w.write_table(csvsafe.table(pf.read_row_group(g, columns=["ad_id", "network_id"]).cast(schema)))
    tmp.replace(out / "networks.csv")
