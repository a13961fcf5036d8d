"""Insights data engine: import case-level records, link them privately, export CTDC. Pure Python, no Django.

Public API (all importable from ``threadline.engines.insights``; heavy modules load on first use)::

    validate_file(path, fmt, *, mapping=None, key=None, source="validate", strict=False) -> ValidationReport
    import_file(path, fmt, source, store, mapping=None, *, key=None, strict=False, rejects=None) -> ImportReport
    link(store, backend="duckdb", *, threshold=0.8, truth=None, seed=42,
         max_training_pairs=5e5, tf_adjustments=True, max_pairs_per_rule=None) -> LinkReport
    evaluate_clusters(store, truth) -> dict            # pairwise precision / recall / F1 vs ground truth
    export_ctdc(store, out, fmt="ctdc", *, dedupe=False) -> int   # rows written (ctdc, ctdc-synthetic, htcds...)
    export_htcds(store, out, *, spreadsheet=False, dedupe=False) -> int   # HTCDS 2.0 CSV or Excel template
    records_table(store, columns=None) -> pyarrow.Table   # canonical schema + cluster_id
    connect(store, *, persist=False) -> duckdb.DuckDBPyConnection   # with a ``records`` view
    encode_identifiers(rows, key) -> pyarrow.Table     # HMAC + Bloom-filter encodings, no raw values
    Encoder(key).encode(given_name, family_name, date_of_birth) -> dict
    Store(root)                                        # a store directory, always given by the caller
    generate(n, agencies=3, seed=0, *, dup_rate=0.3, error_rate=1.0) -> SyntheticData
    write_agency_files(data, out, *, raw=False) -> list[Path]

Formats: ``fmt`` is ``"ctdc"`` (the 2020 global dataset as downloaded: 63 columns in any order, ``,`` or
``;``, the terms-of-use header cell, -99/Unknown/00 missing), ``"ctdc-synthetic"`` (27 columns, 2024
codebook values) or ``"htcds"`` (HTCDS 2.0 field names, value names and labels, CSV or the official .xlsx
template; our snake_case or canonical headers too; optional ``mapping`` of file column -> canonical column
or None). Imports are lenient by default: an unreadable value is set to missing (or kept as ``Other``) and
reported, an unreadable row is quarantined; ``strict=True`` stores nothing on any problem. The
:class:`ValidationReport` lists every problem as (file, row, column, value, reason, action); the value only
for controlled columns, never for identifiers. Vocabulary and field maps: ``engines/insights/formats/``.

Every function that reads or writes a store takes its directory (or a :class:`Store`): the engine reads no
environment variable and no settings; the web app and the command line resolve where data lives.

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
    "export_htcds": "export",
    "records_table": "store",
    "connect": "store",
    "Store": "store",
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
