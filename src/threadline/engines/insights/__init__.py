"""Insights data engine: import case-level records, link them privately, export CTDC. Pure Python, no Django.

Public API (all importable from ``threadline.engines.insights``; heavy modules load on first use)::

    validate_file(path, fmt, *, mapping=None, key=None, source="validate") -> ValidationReport
    import_file(path, fmt, source, store=None, mapping=None, *, key=None) -> ImportReport
    link(store=None, backend="duckdb", *, threshold=0.9, truth=None, seed=42,
         max_training_pairs=5e5, tf_adjustments=True, max_pairs_per_rule=None) -> LinkReport
    evaluate_clusters(store, truth) -> dict            # pairwise precision / recall / F1 vs ground truth
    export_ctdc(store, out, fmt="ctdc", *, dedupe=False) -> int   # rows written
    records_table(store=None, columns=None) -> pyarrow.Table      # canonical schema + cluster_id
    connect(store=None, *, persist=False) -> duckdb.DuckDBPyConnection   # with a ``records`` view
    encode_identifiers(rows, key) -> pyarrow.Table     # HMAC + Bloom-filter encodings, no raw values
    Encoder(key).encode(given_name, family_name, date_of_birth) -> dict
    Store(root=None)                                   # default $THREADLINE_DATA_DIR/insights
    generate(n, agencies=3, seed=0, *, dup_rate=0.3, error_rate=1.0) -> SyntheticData
    write_agency_files(data, out, *, raw=False) -> list[Path]

Formats: ``fmt`` is ``"ctdc"`` (63 columns, ``;``, -99/Unknown missing), ``"ctdc-synthetic"`` (27 columns)
or ``"htcds"`` (CSV or .xlsx, HTCDS-style snake_case or canonical headers, optional ``mapping`` of file
column -> canonical column or None). Imports are all-or-nothing: a file with any problem stores nothing and
the :class:`ValidationReport` lists every problem as (file, row, column, reason) without the value.

Store layout, canonical schema and the linkage model are described in ``docs/insights-engine.md`` and in
:mod:`threadline.engines.insights.store` / :mod:`threadline.engines.insights.schema`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "validate_file": "importers",
    "import_file": "importers",
    "ImportReport": "importers",
    "ValidationReport": "importers",
    "Issue": "importers",
    "FORMATS": "importers",
    "link": "linkage",
    "LinkReport": "linkage",
    "evaluate_clusters": "linkage",
    "export_ctdc": "export",
    "records_table": "store",
    "connect": "store",
    "Store": "store",
    "default_store": "store",
    "encode_identifiers": "encoding",
    "Encoder": "encoding",
    "generate": "synthetic",
    "write_agency_files": "synthetic",
    "CANONICAL_SCHEMA": "schema",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
