"""The scan's backend seam: the stages a backend runs, and how the engine finds a backend by name.

A scan is four stages (see :func:`threadline.engines.online.scan.run_scan`):

1. **map batches** - every batch of input records is parsed and analysed by the pure batch functions
   (``readers.records_of`` and ``analyse.analyse_records``); the backend decides where (a process pool, Spark
   executors) and where the results wait (part files, intermediate Parquet);
2. **link** - the backend hands the kept ads' linking arrays to the driver, which runs the one
   :func:`~threadline.engines.online.link.link` (same boilerplate, text clusters and hub tests everywhere);
3. **write** - the backend writes ``ads``/``entities``/``indicators`` Parquet with each ad's network id,
   ``networks.csv`` and ``rejects.jsonl``;
4. networks, evidence, hubs, risk, DuckDB views, report and ``scan.json`` - shared, on the driver.

Fingerprinting, resume decisions, progress and the summary are the engine's; a backend implements only
:class:`ScanBackend`. Backends other than the local one live outside this package and are found lazily by
:func:`backend_named`, so the engine never imports them (the Spark backend imports the engine, not the
reverse) and a missing optional extra is reported with its install hint only when it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np


class Cancelled(Exception):
    """The scan was cancelled by ``cancel_check`` (finished batches are kept for a resume)."""


@dataclass
class ScanPlan:
    """What the driver decided before the batches run (the same for every backend)."""

    files: list  # readers.InputFile read by the backend's workers
    uris: list[str]  # Parquet inputs read by the backend itself (object storage); only some backends take them
    batch_size: int
    work: Path  # the backend's intermediate directory inside the workspace
    resumed: bool  # the work directory holds an interrupted run of the same inputs and options
    options: object  # ScanOptions


@dataclass
class Mapped:
    """The result of the map stage: per-batch statistics (task, file, n_input, n_read, n_rejected, seconds),
    sorted by task id, and how many batches were taken from an interrupted run."""

    stats: list[dict]
    n_resumed: int = 0


@dataclass
class Written:
    n_duplicates: int  # records dropped because an earlier record had their id (in rejects.jsonl)
    n_entities: int
    n_indicators: int


@dataclass
class LinkArrays:
    """The linking input, one row per analysed ad in input order (``keep`` False for duplicate ids)."""

    key_rows: np.ndarray  # int64, row of each identifier key
    keys: np.ndarray  # uint64
    key_kinds: np.ndarray  # int8
    sig: np.ndarray  # (n, NUM_PERM) uint16
    bands: np.ndarray  # (n, BANDS) uint64
    shingles: np.ndarray  # uint32, word 3-gram hashes of every ad, concatenated
    sh_offsets: np.ndarray  # int64, n + 1
    id_hash: np.ndarray  # uint64
    keep: np.ndarray  # bool
    extra: dict = field(default_factory=dict)  # what the backend needs back in its write stage

    @property
    def n(self) -> int:
        return len(self.id_hash)


ProgressCallback = Callable[[str, int, "int | None"], None]


class ScanBackend(Protocol):
    """Where a scan's batches run and its per-ad files are written. One instance serves one scan."""

    name: str  # "local", "spark": part of the resume fingerprint and of scan.json
    workers: int  # parallelism (also the DuckDB threads of the network table)
    work_dir_name: str  # intermediate directory inside the workspace
    takes_uris: bool  # whether Parquet inputs given as URIs can be read

    def map_batches(self, plan: ScanPlan, clock, cancel_check: Callable[[], bool] | None) -> Mapped:
        """Analyse every batch of the plan (skipping those an interrupted run finished when ``plan.resumed``)."""

    def link_arrays(self) -> LinkArrays:
        """The analysed ads' linking arrays, on the driver."""

    def write(self, out: Path, arrays: LinkArrays, network_ids: np.ndarray) -> Written:
        """ads/entities/indicators Parquet with ``network_id``, networks.csv and rejects.jsonl."""

    def resolve_keys(self, arrays: LinkArrays, rows_keys: list[tuple[int, int]]) -> dict[int, tuple[str, str]]:
        """(kind, value) of identifier keys, each looked up in the entities of one ad (row, key)."""

    def finish(self, out: Path) -> None:
        """Called when the scan is complete (remove intermediate files the workspace does not need)."""

    def summary(self) -> dict:
        """Backend-specific entries of ``scan.json``."""


BACKENDS = {
    "local": ("threadline.engines.online.local", "LocalBackend"),
    "spark": ("threadline.engines.spark.scan", "SparkBackend"),  # optional extra, imported only when asked for
}


def backend_named(name: str, **options) -> ScanBackend:
    """A backend by name (``local``, ``spark``), imported only now; ``options`` go to its constructor.

    Raises ``ValueError`` for an unknown name, and the backend's own error (for Spark:
    ``SparkUnavailable`` with the install hint) when its optional dependencies are missing.
    """
    try:
        module, attr = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown scan backend {name!r}; choose one of {', '.join(sorted(BACKENDS))}") from None
    return getattr(importlib.import_module(module), attr)(**options)
