"""Orchestration of a scan: read + extract (parallel, resumable) -> link -> outputs -> networks -> report.

Public entry point: :func:`run_scan`. Everything here is pure Python (no Django).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from threadline.engines.online import readers
from threadline.engines.online.backend import Cancelled, LocalBackend
from threadline.engines.online.images import DEFAULT_MAX_IMAGE_BYTES, ImagePolicy

ProgressCallback = Callable[[str, int, int | None], None]
FORMAT_VERSION = 2  # 2: the parts also hold the word 3-gram hashes


@dataclass
class ScanOptions:
    batch_size: int = 10_000
    workers: int = 0  # 0 = one per CPU core
    default_region: str | None = "US"
    field_map: dict[str, str] = field(default_factory=dict)  # field name -> column name in the input
    encoding: str = "utf-8"
    max_line_bytes: int = 8 * 1024 * 1024
    lexicons: list[str] | None = None  # lexicon YAML files instead of the packaged ones
    risk_weights: str | None = None  # risk YAML instead of the packaged one
    text_threshold: float = 0.5
    hub_min_ads: int = 10
    hub_min_groups: int = 10
    max_bucket: int = 2000
    boilerplate_min_groups: int = 5
    min_distinctive: int = 3
    resume: bool = True
    report_top: int = 50
    html_report: bool = True
    image_root: str | None = None  # local image files named by ads are hashed only under this directory
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES

    def worker_options(self) -> dict:
        """What a worker (a local process or a Spark executor) needs to analyse a task's records."""
        return {"field_map": self.field_map, "encoding": self.encoding, "default_region": self.default_region,
                "lexicons": [str(p) for p in self.lexicons] if self.lexicons else None,
                "images": {"root": self.image_root, "max_bytes": self.max_image_bytes}}  # fmt: skip

    def fingerprint_dict(self) -> dict:
        d = asdict(self)
        for k in ("workers", "resume", "report_top", "html_report"):
            d.pop(k)
        return d


def link_options(opts: ScanOptions):
    """The linking options of a scan (shared by the local and the Spark engines)."""
    from threadline.engines.online.link import LinkOptions

    return LinkOptions(text_threshold=opts.text_threshold, hub_min_ads=opts.hub_min_ads,
                       hub_min_groups=opts.hub_min_groups, max_bucket=opts.max_bucket,
                       boilerplate_min_groups=opts.boilerplate_min_groups,
                       min_distinctive=opts.min_distinctive)  # fmt: skip


# ------------------------------------------------------------------------------------------------ worker
_W: dict = {}


def _init_worker(opts: dict, parts_dir: str) -> None:
    from threadline.engines.online import geo
    from threadline.engines.online.lexicon import load_lexicon

    _W["opts"] = opts
    _W["parts"] = parts_dir
    _W["lexicon"] = load_lexicon(opts.get("lexicons"))
    geo._tables()


def _atomic_write_bytes(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
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
                 shingles=res.shingles,
                 n_shingles=res.n_shingles, id_hash=res.id_hash)  # fmt: skip
    os.replace(tmp, f"{parts}/link-{tid}.npz")
    _atomic_write_bytes(f"{parts}/rej-{tid}.jsonl",
                        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rejects).encode())  # fmt: skip
    stats = {"task": tid, "file": os.path.basename(task.file.path), "n_input": task.n_input, "n_read": len(recs),
             "n_rejected": len(rejects), "seconds": round(time.perf_counter() - t0, 3)}  # fmt: skip
    _atomic_write_bytes(f"{parts}/done-{tid}.json", json.dumps(stats).encode())
    return stats


# ------------------------------------------------------------------------------------------------ driver
def _fingerprint(files: list[readers.InputFile], opts: ScanOptions) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(opts.fingerprint_dict(), sort_keys=True, default=str).encode())
    for f in files:
        h.update(f"{f.path}|{f.size}|{f.mtime}|{f.fmt}|{f.gz}".encode())
    h.update(str(FORMAT_VERSION).encode())
    return h.hexdigest()


def plan_matches(plan_path: Path, fingerprint: str) -> bool:
    """Whether an interrupted run left a plan with this fingerprint (same inputs and options): resume it."""
    try:
        return json.loads(plan_path.read_text()).get("fingerprint") == fingerprint
    except (OSError, ValueError, AttributeError):
        return False


def _write_json(path: Path, obj: dict) -> None:
    _atomic_write_bytes(str(path), json.dumps(obj, indent=2, default=str).encode())


class _Stages:
    def __init__(self, progress: ProgressCallback | None) -> None:
        self.times: dict[str, float] = {}
        self.progress = progress
        self._t = 0.0
        self._name = ""

    def start(self, name: str, total: int | None = None) -> None:
        self._name = name
        self._t = time.perf_counter()
        if self.progress:
            self.progress(name, 0, total)

    def tick(self, done: int, total: int | None = None) -> None:
        if self.progress:
            self.progress(self._name, done, total)

    def end(self, total: int | None = None) -> None:
        self.times[self._name] = round(time.perf_counter() - self._t, 3)
        if self.progress:
            self.progress(self._name, total or 1, total or 1)


def _effective_batch_size(files: list[readers.InputFile], batch_size: int, workers: int) -> int:
    """Batch size for Parquet inputs that keeps every worker busy to the end (at most ``batch_size``)."""
    if workers <= 1 or not files or any(f.fmt != "parquet" or f.gz for f in files):
        return batch_size
    import math

    try:
        total = sum(pq.ParquetFile(f.path).metadata.num_rows for f in files)
    except Exception:  # unreadable files are reported as rejects later
        return batch_size
    # as many batches as needed, rounded up to a multiple of the workers, so that no worker idles at the end
    n_batches = math.ceil(math.ceil(total / batch_size) / workers) * workers
    return max(min(1000, batch_size), math.ceil(total / max(1, n_batches)))  # never above what was asked


def run_scan(inputs: list[str | Path], out_dir: str | Path, options: ScanOptions | None = None,
             progress_callback: ProgressCallback | None = None,
             cancel_check: Callable[[], bool] | None = None, backend: LocalBackend | None = None) -> dict:  # fmt: skip
    """Scan ad files into a workspace directory and return the summary also written to ``scan.json``.

    ``progress_callback(stage, done, total)`` is called as stages advance (``total`` may be None).
    ``cancel_check()`` is polled between batches; when it returns True the scan stops with
    :class:`~threadline.engines.online.backend.Cancelled` and finished batches are kept for a resume.
    Raises :class:`~threadline.engines.online.readers.InputError` for inputs that cannot be used at all.
    """
    opts = options or ScanOptions()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts = out / "_parts"
    t_start = time.perf_counter()
    st = _Stages(progress_callback)
    files = readers.discover(inputs)
    be = backend or LocalBackend(opts.workers)
    batch_size = _effective_batch_size(files, opts.batch_size, be.workers)
    fp = _fingerprint(files, opts) + f"-b{batch_size}"
    plan_path = parts / "plan.json"
    resumed = False
    if parts.exists():
        if opts.resume and plan_matches(plan_path, fp):
            resumed = True
        else:
            shutil.rmtree(parts)
    parts.mkdir(parents=True, exist_ok=True)
    _write_json(plan_path, {"fingerprint": fp, "inputs": [f.path for f in files]})
    _write_json(out / "scan.json", {"status": "running", "started": time.time()})

    # ---- stage 1: read + extract
    done_ids = {p.name[5:-5] for p in parts.glob("done-*.json")}
    total_bytes = sum(f.size for f in files) or None
    st.start("read+extract", total_bytes)
    bytes_done = 0
    n_skipped = 0
    task_ids: list[str] = []

    def task_iter():
        nonlocal bytes_done, n_skipped
        for f in files:
            for t in readers.iter_tasks(f, batch_size, opts.max_line_bytes, opts.field_map, opts.encoding):
                task_ids.append(t.task_id)
                if t.task_id in done_ids:
                    n_skipped += 1
                    continue
                yield t
            bytes_done += f.size
            st.tick(bytes_done, total_bytes)

    init_args = (opts.worker_options(), str(parts))
    for _stats in be.map_tasks(_process_task, task_iter(), _init_worker, init_args, cancel_check):
        if progress_callback:
            progress_callback("read+extract", bytes_done, total_bytes)
    st.end(total_bytes)
    if cancel_check and cancel_check():
        raise Cancelled()
    task_ids = sorted(set(task_ids))
    stats = [json.loads((parts / f"done-{t}.json").read_text()) for t in task_ids]

    # ---- stage 2: link
    st.start("link")
    from threadline.engines.online.finalize import finalize, load_link_arrays
    from threadline.engines.online.link import link, stable_ids  # scipy: not needed by the workers

    arrays = load_link_arrays(parts, task_ids)
    n = arrays["n"]
    keep = arrays["keep"]
    km = keep[arrays["key_rows"]] if len(arrays["key_rows"]) else np.zeros(0, dtype=bool)
    lr = link(n, arrays["key_rows"][km], arrays["keys"][km], arrays["key_kinds"][km], arrays["bands"],
              arrays["sig"], arrays["shingles"], arrays["sh_offsets"], link_options(opts), active=keep)  # fmt: skip
    network_ids = stable_ids(lr.labels, arrays["id_hash"])
    st.end()
    if cancel_check and cancel_check():
        raise Cancelled()

    # ---- stage 3+: outputs, networks, report
    summary_extra = finalize(out, parts, task_ids, arrays, lr, network_ids, opts, st, cancel_check)

    n_input = sum(s["n_input"] for s in stats)
    n_rej = sum(s["n_rejected"] for s in stats) + summary_extra["duplicates"]
    n_read = sum(s["n_read"] for s in stats) - summary_extra["duplicates"]
    summary = {
        "status": "complete",
        "format_version": FORMAT_VERSION,
        "inputs": [{"path": f.path, "format": f.fmt, "gzip": f.gz, "bytes": f.size} for f in files],
        "counts": {
            "input_records": n_input, "read": n_read, "rejected": n_rej,
            "balanced": n_read + n_rej == n_input, "duplicate_ids": summary_extra["duplicates"],
            "ads": n_read, "networks": summary_extra["n_networks"], "multi_ad_networks": summary_extra["n_multi"],
            "ads_in_multi_ad_networks": summary_extra["ads_in_multi"], "entities": summary_extra["n_entities"],
            "indicator_hits": summary_extra["n_indicators"], "hubs": len(lr.hubs),
            "identifier_edges": lr.n_id_edges, "text_candidate_pairs": lr.n_text_candidates,
            "text_edges": lr.n_text_edges, "boilerplate_shingles": len(lr.boilerplate),
            "ads_with_boilerplate": lr.boilerplate.n_ads_touched,
        },
        "batches": {"total": len(task_ids), "resumed_from_previous_run": n_skipped if resumed else 0},
        "seconds": {**st.times, "total": round(time.perf_counter() - t_start, 3)},
        "options": asdict(opts),
        "lexicon_versions": summary_extra["lexicon_versions"],
        "risk_version": summary_extra["risk_version"],
        "workers": be.workers,
    }  # fmt: skip
    _write_json(out / "scan.json", summary)
    return summary
