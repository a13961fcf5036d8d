"""The local scan backend: batches in a process pool on this machine, results in part files under ``_parts``.

Each finished batch leaves its part files and then a done marker (last, atomically), so a scan that stops
(crash, cancel, ``kill -9``) resumes at the first unfinished batch. A pool worker dies with the scan that
started it, so a killed scan never leaves workers writing into its workspace.
"""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from threadline.engines import csvsafe
from threadline.engines.online import readers
from threadline.engines.online.analyse import ADS_SCHEMA, ENTITIES_SCHEMA, INDICATORS_SCHEMA, LINK_KINDS, link_key
from threadline.engines.online.backend import Cancelled, LinkArrays, Mapped, ScanPlan, Written
from threadline.engines.online.images import ImagePolicy
from threadline.engines.online.minhash import BANDS, NUM_PERM

DUPLICATE_REASON = "duplicate id (an earlier record has it)"


# ------------------------------------------------------------------------------------------------ worker
_W: dict = {}


class _NoPandas:
    """pyarrow imports pandas (if installed) on its first conversion of a Python list, only to ask whether the
    list is a pandas object: about 0.4 s per worker, and the workers never use pandas."""

    @staticmethod
    def find_spec(name: str, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used in a scan worker")
        return None


def _pool_worker_init(parent: int, init: Callable, *init_args) -> None:
    """A pool worker dies with the scan that started it: a killed scan (even ``kill -9``) must not leave
    workers running and writing into its workspace."""
    from threadline.process import die_with_parent, watch_parent

    die_with_parent(expected_parent=parent)
    watch_parent(parent)
    if "pandas" not in sys.modules:  # a fresh (spawned) process of this pool only, never the caller's
        sys.meta_path.insert(0, _NoPandas())
    init(*init_args)
    # the modules and tables loaded so far (the gazetteer: some 10^5 objects) live as long as the worker: out of
    # the collector's sight, every full collection during the batches no longer walks them (3-6 % of a batch)
    gc.freeze()


def _init_worker(opts: dict, parts_dir: str) -> None:
    from threadline.engines.online import geo
    from threadline.engines.online.lexicon import load_lexicon

    _W["opts"] = opts
    _W["parts"] = parts_dir
    _W["lexicon"] = load_lexicon(opts.get("lexicons"))
    geo._tables()


@contextmanager
def _main_script_hidden(*fns: Callable) -> Iterator[None]:
    """Spawned processes start without running the caller's main script when nothing they run comes from it.

    A spawned child runs the parent's ``__main__`` file again (as ``__mp_main__``) so that functions defined there
    can be unpickled; for the ``threadline`` command that means importing the whole CLI (typer, rich: about 0.1 s
    per worker) for nothing. While the pool starts its processes, the main module's ``__file__`` is set aside."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    hide = (path is not None and getattr(main, "__spec__", None) is None
            and all(getattr(f, "__module__", "__main__") != "__main__" for f in fns))  # fmt: skip
    if hide:
        del main.__file__
    try:
        yield
    finally:
        if hide:
            main.__file__ = path


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _write_parquet(table: pa.Table, path: str) -> None:
    tmp = path + ".tmp"
    pq.write_table(table, tmp, compression="lz4")
    os.replace(tmp, path)


def _process_task(task: readers.Task) -> dict:
    """Worker: parse one task, analyse it, write its parts, then the done marker (last, atomically)."""
    from threadline.engines.online.analyse import analyse_records

    t0 = time.perf_counter()
    opts = _W["opts"]
    parts = _W["parts"]
    tid = task.task_id
    recs, srcs, rejects = readers.records_of(task, opts["field_map"], opts["encoding"])
    res = analyse_records(recs, srcs, _W["lexicon"], opts["default_region"], ImagePolicy(**opts["images"]))
    _write_parquet(res.ads, f"{parts}/ads-{tid}.parquet")
    _write_parquet(res.entities, f"{parts}/ent-{tid}.parquet")
    _write_parquet(res.indicators, f"{parts}/ind-{tid}.parquet")
    tmp = f"{parts}/link-{tid}.npz.tmp"
    with open(tmp, "wb") as fh:
        np.savez(fh, key_rows=res.key_rows, keys=res.keys, key_kinds=res.key_kinds, sig=res.sig, bands=res.bands,
                 shingles=res.shingles, n_shingles=res.n_shingles, id_hash=res.id_hash)  # fmt: skip
    os.replace(tmp, f"{parts}/link-{tid}.npz")
    atomic_write_bytes(f"{parts}/rej-{tid}.jsonl",
                       "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rejects).encode())  # fmt: skip
    stats = {"task": tid, "file": os.path.basename(task.file.path), "n_input": task.n_input, "n_read": len(recs),
             "n_rejected": len(rejects), "seconds": round(time.perf_counter() - t0, 3)}  # fmt: skip
    atomic_write_bytes(f"{parts}/done-{tid}.json", json.dumps(stats).encode())
    return stats


# ------------------------------------------------------------------------------------------------ backend
class LocalBackend:
    """Batches in a process pool (``workers`` processes; inline with one), results in ``<out>/_parts``."""

    name = "local"
    work_dir_name = "_parts"
    takes_uris = False

    def __init__(self, workers: int = 0, start_method: str = "spawn") -> None:
        self.workers = workers if workers > 0 else max(1, os.cpu_count() or 1)
        self.start_method = start_method
        self._parts: Path | None = None
        self._task_ids: list[str] = []
        self._offsets = np.zeros(1, dtype=np.int64)

    # ---- stage 1
    def map_tasks(self, fn: Callable, tasks: Iterable, init: Callable, init_args: tuple,
                  cancel_check: Callable[[], bool] | None = None) -> Iterator:  # fmt: skip
        """Apply ``fn`` to every task; yields results as they finish (order not guaranteed)."""
        if self.workers == 1:
            init(*init_args)
            for t in tasks:
                if cancel_check and cancel_check():
                    raise Cancelled()
                yield fn(t)
            return
        ctx = mp.get_context(self.start_method)
        ex = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_pool_worker_init,
                                 initargs=(os.getpid(), init, *init_args))  # fmt: skip
        pending: set[Future] = set()
        limit = self.workers * 2
        try:
            for t in tasks:
                if cancel_check and cancel_check():
                    raise Cancelled()
                if len(pending) < self.workers:  # the pool starts a process on each of the first submissions
                    with _main_script_hidden(fn, init):
                        pending.add(ex.submit(fn, t))
                else:
                    pending.add(ex.submit(fn, t))
                while len(pending) >= limit:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for d in done:
                        yield d.result()
            while pending:
                if cancel_check and cancel_check():
                    raise Cancelled()
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for d in done:
                    yield d.result()
        except BaseException:
            for p in pending:
                p.cancel()
            ex.shutdown(wait=False, cancel_futures=True)
            raise
        # every task is finished and its parts written: the workers exit (freeing their memory takes a few tenths
        # of a second) while the caller goes on to linking
        ex.shutdown(wait=False)

    def map_batches(self, plan: ScanPlan, clock, cancel_check: Callable[[], bool] | None) -> Mapped:
        opts = plan.options
        parts = self._parts = plan.work
        done_ids = {p.name[5:-5] for p in parts.glob("done-*.json")} if plan.resumed else set()
        total_bytes = sum(f.size for f in plan.files) or None
        clock.start("read+extract", total_bytes)
        bytes_done = 0
        n_skipped = 0
        task_ids: list[str] = []

        def task_iter():
            nonlocal bytes_done, n_skipped
            for f in plan.files:
                for t in readers.iter_tasks(f, plan.batch_size, opts.max_line_bytes, opts.field_map, opts.encoding):
                    task_ids.append(t.task_id)
                    if t.task_id in done_ids:
                        n_skipped += 1
                        continue
                    yield t
                bytes_done += f.size
                clock.tick(bytes_done, total_bytes)

        init_args = (opts.worker_options(), str(parts))
        for _stats in self.map_tasks(_process_task, task_iter(), _init_worker, init_args, cancel_check):
            clock.tick(bytes_done, total_bytes)
        clock.end(total_bytes)
        self._task_ids = sorted(set(task_ids))
        stats = [json.loads((parts / f"done-{t}.json").read_text()) for t in self._task_ids]
        return Mapped(stats=stats, n_resumed=n_skipped)

    # ---- stage 2
    def link_arrays(self) -> LinkArrays:
        parts = self._parts
        key_rows, keys, kinds, sigs, bands, shingles, n_sh, ids, offsets = [], [], [], [], [], [], [], [], [0]
        for t in self._task_ids:
            with np.load(parts / f"link-{t}.npz") as z:
                n = len(z["id_hash"])
                key_rows.append(z["key_rows"].astype(np.int64) + offsets[-1])
                keys.append(z["keys"])
                kinds.append(z["key_kinds"])
                sigs.append(z["sig"])
                bands.append(z["bands"])
                shingles.append(z["shingles"])
                n_sh.append(z["n_shingles"])
                ids.append(z["id_hash"])
            offsets.append(offsets[-1] + n)
        self._offsets = np.array(offsets, dtype=np.int64)

        def cat(chunks: list, empty: np.ndarray) -> np.ndarray:
            out = np.concatenate(chunks) if chunks else empty
            chunks.clear()  # each chunk is freed as soon as it is copied
            return out

        id_hash = cat(ids, np.zeros(0, np.uint64))
        n = len(id_hash)
        sh_offsets = np.zeros(n + 1, dtype=np.int64)
        if n:
            np.cumsum(np.concatenate(n_sh), out=sh_offsets[1:])
        return LinkArrays(
            key_rows=cat(key_rows, np.zeros(0, np.int64)), keys=cat(keys, np.zeros(0, np.uint64)),
            key_kinds=cat(kinds, np.zeros(0, np.int8)), sig=cat(sigs, np.zeros((0, NUM_PERM), np.uint16)),
            bands=cat(bands, np.zeros((0, BANDS), np.uint64)), shingles=cat(shingles, np.zeros(0, np.uint32)),
            sh_offsets=sh_offsets, id_hash=id_hash, keep=first_of_each_id(id_hash),
        )  # fmt: skip

    # ---- stage 3
    def write(self, out: Path, arrays: LinkArrays, network_ids: np.ndarray) -> Written:
        dup_rejects, n_ent, n_ind = _stream_outputs(out, self._parts, self._task_ids, self._offsets, arrays.keep,
                                                    network_ids)  # fmt: skip
        tmp = out / "rejects.jsonl.tmp"
        with open(tmp, "wb") as fh:
            for t in self._task_ids:
                p = self._parts / f"rej-{t}.jsonl"
                if p.exists():
                    fh.write(p.read_bytes())
            for r in dup_rejects:
                fh.write((json.dumps(r, ensure_ascii=False) + "\n").encode())
        os.replace(tmp, out / "rejects.jsonl")
        return Written(n_duplicates=len(dup_rejects), n_entities=n_ent, n_indicators=n_ind)

    def resolve_keys(self, arrays: LinkArrays, rows_keys: list[tuple[int, int]]) -> dict[int, tuple[str, str]]:
        """Each part file is read at most once."""
        offsets = self._offsets
        by_task: dict[int, list[tuple[int, int]]] = {}
        for row, key in rows_keys:
            by_task.setdefault(int(np.searchsorted(offsets, row, "right") - 1), []).append((row, key))
        resolved: dict[int, tuple[str, str]] = {}
        for ti, items in by_task.items():
            ent = pq.read_table(self._parts / f"ent-{self._task_ids[ti]}.parquet", columns=["row", "kind", "value"])
            want = {row - int(offsets[ti]) for row, _key in items}
            keys = {key for _row, key in items}
            for r, k, v in zip(ent["row"].to_pylist(), ent["kind"].to_pylist(), ent["value"].to_pylist(), strict=True):
                if r in want and k in LINK_KINDS:
                    lk = link_key(k, v)
                    if lk in keys:
                        resolved[lk] = (k, v)
        return resolved

    def finish(self, out: Path) -> None:
        """The part files stay until the caller removes them (the app counts them for its progress)."""

    def summary(self) -> dict:
        return {}


def first_of_each_id(id_hash: np.ndarray) -> np.ndarray:
    """True for the first record of each ad id in input order (later ones are duplicates)."""
    n = len(id_hash)
    keep = np.ones(n, dtype=bool)
    if n:
        order = np.argsort(id_hash, kind="stable")
        sh = id_hash[order]
        dup = np.zeros(n, dtype=bool)
        dup[1:] = sh[1:] == sh[:-1]
        keep[order[dup]] = False
    return keep


def _empty_output(fname: str) -> pa.Schema:
    sch = {"ads": ADS_SCHEMA, "entities": ENTITIES_SCHEMA.remove(1), "indicators": INDICATORS_SCHEMA.remove(1)}[fname]
    return sch.append(pa.field("network_id", pa.string()))


def _stream_outputs(out: Path, parts: Path, task_ids: list[str], offsets: np.ndarray, keep: np.ndarray,
                    network_ids: np.ndarray):  # fmt: skip
    """Write ads/entities/indicators Parquet with network_id, networks.csv and the duplicate-id rejects.

    The three outputs are written by three threads (Parquet reading, compression and writing release the GIL),
    each streaming the part files in task order; the ads parts, the largest, are read one ahead by a fourth.
    """
    from concurrent.futures import ThreadPoolExecutor

    nid_all = pa.array(network_ids, pa.string()) if len(network_ids) else pa.array([], pa.string())

    def write_ads(prefetch: ThreadPoolExecutor) -> list[dict]:
        dup_rejects: list[dict] = []
        csv_tmp = out / "networks.csv.tmp"
        writer = csv_writer = None
        # the next part is read (decompressed) by another thread while this one compresses and writes the last
        paths = [parts / f"ads-{t}.parquet" for t in task_ids]
        nxt = prefetch.submit(pq.read_table, paths[0]) if paths else None
        try:
            for i in range(len(paths)):
                lo, hi = int(offsets[i]), int(offsets[i + 1])
                kslice = keep[lo:hi]
                kmask = pa.array(kslice)
                all_kept = bool(kslice.all())
                ads = nxt.result()
                nxt = prefetch.submit(pq.read_table, paths[i + 1]) if i + 1 < len(paths) else None
                if not all_kept:
                    dropped = ads.filter(pc.invert(kmask))
                    for a, fsrc, line in zip(dropped["ad_id"].to_pylist(), dropped["source_file"].to_pylist(),
                                             dropped["source_line"].to_pylist(), strict=True):  # fmt: skip
                        dup_rejects.append({"file": fsrc, "line": line, "reason": DUPLICATE_REASON, "id": a})
                ads = ads.append_column("network_id", nid_all.slice(lo, hi - lo))
                if not all_kept:  # a filter copies every column, even when it keeps every row
                    ads = ads.filter(kmask)
                if writer is None:
                    writer = pq.ParquetWriter(out / "ads.parquet.tmp", ads.schema, compression="zstd")
                writer.write_table(ads)
                two = pa.table({"ad_id": ads["ad_id"], "network_id": ads["network_id"]})
                if csv_writer is None:
                    csv_writer = pacsv.CSVWriter(str(csv_tmp), two.schema,
                                                 write_options=pacsv.WriteOptions(quoting_style="needed"))  # fmt: skip
                csv_writer.write_table(csvsafe.table(two))
        finally:
            if writer is not None:
                writer.close()
            if csv_writer is not None:
                csv_writer.close()
        if csv_writer is None:
            csv_tmp.write_text('"ad_id","network_id"\n')
        return dup_rejects

    def write_rows(name: str, fname: str) -> int:
        n_rows = 0
        writer = None
        try:
            for i, t in enumerate(task_ids):
                lo = int(offsets[i])
                tbl = pq.read_table(parts / f"{name}-{t}.parquet")
                rows = tbl["row"].to_numpy()
                if len(rows):
                    tbl = tbl.append_column("network_id", nid_all.take(pa.array(lo + rows.astype(np.int64))))
                    kept = keep[lo + rows]
                    if not kept.all():
                        tbl = tbl.filter(pa.array(kept))
                else:
                    tbl = tbl.append_column("network_id", pa.array([], pa.string()))
                tbl = tbl.drop_columns(["row"])
                if writer is None:
                    writer = pq.ParquetWriter(out / f"{fname}.parquet.tmp", tbl.schema, compression="zstd")
                writer.write_table(tbl)
                n_rows += tbl.num_rows
        finally:
            if writer is not None:
                writer.close()
        return n_rows

    with ThreadPoolExecutor(max_workers=3) as pool, ThreadPoolExecutor(max_workers=1) as prefetch:
        f_ads = pool.submit(write_ads, prefetch)
        f_ent = pool.submit(write_rows, "ent", "entities")
        f_ind = pool.submit(write_rows, "ind", "indicators")
        dup_rejects, n_ent, n_ind = f_ads.result(), f_ent.result(), f_ind.result()
    for fname in ("ads", "entities", "indicators"):
        tmp = out / f"{fname}.parquet.tmp"
        if not tmp.exists():
            pq.write_table(_empty_output(fname).empty_table(), tmp)
        os.replace(tmp, out / f"{fname}.parquet")
    os.replace(out / "networks.csv.tmp", out / "networks.csv")
    return dup_rejects, n_ent, n_ind
