"""Online identification engine: identifiers, indicators, networks and risk from online ads (no Django).

Public API (the app, the CLI, the benchmarks and the Spark backend use only these; see ``docs/online-engine.md``)::

    run_scan(inputs, out_dir, options=None, progress_callback=None, cancel_check=None, backend=None) -> dict
    ScanOptions(...)                         # batch size, workers, region, field map, linking thresholds ...
    ScanBackend / ScanPlan / Mapped / Written / LinkArrays   # the backend seam (``backend.py``)
    LocalBackend(workers=0)                  # process pool on this machine (the default)
    backend_named(name, **options) -> ScanBackend            # "local", "spark" (imported only when asked for)
    Cancelled                                # raised when cancel_check() says stop; finished batches are kept
    InputError / is_uri(path)                # inputs that cannot be used at all; URIs need the Spark backend
    normalize_query(text, region) -> [(kind, value)]        # an identifier as typed, normalised like extraction
    connect(workspace) / find_networks(con, query, region)  # DuckDB over a workspace (``workspace.py``)
    Workspace(root) and the read-only queries of ``workspace.py`` used by the app's review pages
    write_corpus(n, seed, path, ..., version=1|2) / GENERATOR_VERSIONS / PROFILES   # seeded synthetic corpora

Names are imported on first use, so importing this package is cheap and needs no numpy, pyarrow or DuckDB.
"""

from __future__ import annotations

import importlib

_PUBLIC = {
    "run_scan": "scan", "ScanOptions": "scan", "link_options": "scan",
    "ScanBackend": "backend", "ScanPlan": "backend", "Mapped": "backend", "Written": "backend",
    "LinkArrays": "backend", "Cancelled": "backend", "backend_named": "backend",
    "LocalBackend": "local",
    "InputError": "readers", "is_uri": "readers",
    "normalize_query": "extract",
    "connect": "workspace", "find_networks": "workspace", "Workspace": "workspace",
    "write_corpus": "synth", "GENERATOR_VERSIONS": "synth", "PROFILES": "synth_v2",
}  # fmt: skip

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
