"""Orchestration of a scan: map batches (read + extract, parallel, resumable) -> link -> write -> networks -> report.

Public entry point: :func:`run_scan`. The stages a backend runs are in :mod:`.backend`; fingerprinting, resume,
linking, the shared stages after it and the summary are here, the same for every backend. Pure Python (no Django).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from threadline.engines.online import readers
from threadline.engines.online.backend import Cancelled, Mapped, ScanBackend, ScanPlan, backend_named
from threadline.engines.online.images import DEFAULT_MAX_IMAGE_BYTES

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
    small_hub_min_groups: int = 3  # 0: small shared numbers (small agencies) are never hubs
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
                       min_distinctive=opts.min_distinctive,
                       small_hub_min_groups=opts.small_hub_min_groups)  # fmt: skip


# ------------------------------------------------------------------------------------------------ driver
def fingerprint(files: list[readers.InputFile], opts: ScanOptions, uris: list[str] = ()) -> str:
    """What a resumed run must share with the interrupted one: options, inputs (size and time) and format."""
    h = hashlib.sha256()
    h.update(json.dumps(opts.fingerprint_dict(), sort_keys=True, default=str).encode())
    for f in files:
        h.update(f"{f.path}|{f.size}|{f.mtime}|{f.fmt}|{f.gz}".encode())
    for u in uris:
        h.update(f"uri|{u}".encode())
    h.update(str(FORMAT_VERSION).encode())
    return h.hexdigest()


def plan_matches(plan_path: Path, fingerprint: str) -> bool:
    """Whether an interrupted run left a plan with this fingerprint (same inputs and options): resume it."""
    try:
        return json.loads(plan_path.read_text()).get("fingerprint") == fingerprint
    except (OSError, ValueError, AttributeError):
        return False


def write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(json.dumps(obj, indent=2, default=str).encode())
    os.replace(tmp, path)


class StageClock:
    """Times the stages and reports them to the progress callback (the names are the same on every backend)."""

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


def effective_batch_size(files: list[readers.InputFile], batch_size: int, workers: int) -> int:
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


def open_work_dir(work: Path, fp: str, resume: bool) -> bool:
    """Keep the intermediate directory of an interrupted run with the same fingerprint (return True), or start
    it afresh; the plan with the fingerprint is written either way."""
    resumed = False
    if work.exists():
        if resume and plan_matches(work / "plan.json", fp):
            resumed = True
        else:
            shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    return resumed


def run_scan(inputs: list[str | Path], out_dir: str | Path, options: ScanOptions | None = None,
             progress_callback: ProgressCallback | None = None, cancel_check: Callable[[], bool] | None = None,
             backend: ScanBackend | str | None = None) -> dict:  # fmt: skip
    """Scan ad files into a workspace directory and return the summary also written to ``scan.json``.

    ``backend``: a :class:`~threadline.engines.online.backend.ScanBackend`, or its name (``local``, the default
    with ``options.workers`` processes; ``spark``, an optional extra found only when asked for).
    ``progress_callback(stage, done, total)`` is called as stages advance (``total`` may be None).
    ``cancel_check()`` is polled between batches; when it returns True the scan stops with
    :class:`~threadline.engines.online.backend.Cancelled` and finished batches are kept for a resume.
    Raises :class:`~threadline.engines.online.readers.InputError` for inputs that cannot be used at all.
    """
    opts = options or ScanOptions()
    out = Path(out_dir)
    t_start = time.perf_counter()
    clock = StageClock(progress_callback)
    if backend is None or backend == "local":
        from threadline.engines.online.local import LocalBackend

        be: ScanBackend = LocalBackend(opts.workers)
    else:
        be = backend_named(backend) if isinstance(backend, str) else backend
    uris = [str(p) for p in inputs if readers.is_uri(p)]
    if uris and not be.takes_uris:
        raise readers.InputError("inputs given as URIs (s3a://, hdfs://, ...) are read with the Spark engine")
    out.mkdir(parents=True, exist_ok=True)
    files = readers.discover([p for p in inputs if not readers.is_uri(p)]) if len(uris) < len(inputs) else []
    batch_size = opts.batch_size if uris else effective_batch_size(files, opts.batch_size, be.workers)
    fp = f"{fingerprint(files, opts, uris)}-b{batch_size}-{be.name}"
    work = out / be.work_dir_name
    # URI inputs: their sizes and times are not known here, so a changed object could not be noticed
    resumed = open_work_dir(work, fp, opts.resume and not uris)
    write_json(work / "plan.json", {"fingerprint": fp, "inputs": [f.path for f in files] + uris})
    write_json(out / "scan.json", {"status": "running", "started": time.time(), "engine": be.name})

    # ---- stage 1: map batches (read + extract); meanwhile the driver, otherwise waiting, imports the later stages
    preload = threading.Thread(target=_import_later_stages, name="threadline-preload", daemon=True)
    preload.start()
    plan = ScanPlan(files=files, uris=uris, batch_size=batch_size, work=work, resumed=resumed, options=opts)
    mapped = be.map_batches(plan, clock, cancel_check)
    if cancel_check and cancel_check():
        raise Cancelled()

    # ---- stage 2: link (on the driver, the same code for every backend)
    from threadline.engines.online.finalize import finalize
    from threadline.engines.online.link import link, stable_ids  # scipy: not needed by the workers

    clock.start("link")
    arrays = be.link_arrays()
    km = arrays.keep[arrays.key_rows] if len(arrays.key_rows) else np.zeros(0, dtype=bool)
    lr = link(arrays.n, arrays.key_rows[km], arrays.keys[km], arrays.key_kinds[km], arrays.bands, arrays.sig,
              arrays.shingles, arrays.sh_offsets, link_options(opts), active=arrays.keep)  # fmt: skip
    network_ids = stable_ids(lr.labels, arrays.id_hash)
    # the signatures, band keys and shingles are linking's alone: free them before the write stage
    arrays.sig = arrays.bands = arrays.shingles = arrays.sh_offsets = None
    clock.end()
    if cancel_check and cancel_check():
        raise Cancelled()

    # ---- stages 3 and 4: write (the backend's per-ad files), then networks, evidence, report (shared)
    extra = finalize(out, be, arrays, lr, network_ids, opts, clock)
    be.finish(out)
    summary = _summary(be, files, uris, mapped, extra, lr, opts, clock, t_start, resumed)
    write_json(out / "scan.json", summary)
    return summary


def _import_later_stages() -> None:
    """Import what linking and writing need (scipy, DuckDB, and pandas, which pyarrow loads on its first
    conversion of Python lists): about a second that the driver would otherwise spend after extraction."""
    import contextlib
    import importlib

    for name in ("threadline.engines.online.link", "threadline.engines.online.finalize", "duckdb", "pandas"):
        with contextlib.suppress(ImportError):  # pandas is optional; a missing module fails where it is used
            importlib.import_module(name)


def _summary(be, files, uris, mapped: Mapped, extra: dict, lr, opts: ScanOptions, clock: StageClock,
             t_start: float, resumed: bool) -> dict:  # fmt: skip
    stats = mapped.stats
    n_input = sum(s["n_input"] for s in stats)
    n_rej = sum(s["n_rejected"] for s in stats) + extra["duplicates"]
    n_read = sum(s["n_read"] for s in stats) - extra["duplicates"]
    return {
        "status": "complete",
        "format_version": FORMAT_VERSION,
        "engine": be.name,
        "inputs": [{"path": f.path, "format": f.fmt, "gzip": f.gz, "bytes": f.size} for f in files]
        + [{"path": u, "format": "parquet", "gzip": False, "bytes": None} for u in uris],
        "counts": {
            "input_records": n_input, "read": n_read, "rejected": n_rej,
            "balanced": n_read + n_rej == n_input, "duplicate_ids": extra["duplicates"],
            "ads": n_read, "networks": extra["n_networks"], "multi_ad_networks": extra["n_multi"],
            "ads_in_multi_ad_networks": extra["ads_in_multi"], "entities": extra["n_entities"],
            "indicator_hits": extra["n_indicators"], "hubs": len(lr.hubs),
            "identifier_edges": lr.n_id_edges, "text_candidate_pairs": lr.n_text_candidates,
            "text_edges": lr.n_text_edges, "boilerplate_shingles": len(lr.boilerplate),
            "ads_with_boilerplate": lr.boilerplate.n_ads_touched,
        },
        "batches": {"total": len(stats), "resumed_from_previous_run": mapped.n_resumed if resumed else 0},
        "seconds": {**clock.times, "total": round(time.perf_counter() - t_start, 3)},
        "options": asdict(opts),
        "lexicon_versions": extra["lexicon_versions"],
        "risk_version": extra["risk_version"],
        "workers": be.workers,
        **be.summary(),
    }  # fmt: skip
