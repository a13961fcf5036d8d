"""The insights store: one directory per organisation.

Layout::

    STORE/
      batches/<batch_id>.parquet     one file per successful import (canonical schema, atomic rename)
      batches/<batch_id>.json        batch manifest: source, format, file name, rows, time
      linkage/clusters.parquet       record_id -> cluster_id, written by link()
      linkage/report.json            the last LinkReport
      linkage/model.json             the Splink model used by the last link()
      catalogue.duckdb               DuckDB catalogue: table ``batches`` and view ``records``

The ``records`` view is every batch in the canonical schema plus ``cluster_id`` (the record's own id
until linkage has run, or when the record carries no encodings).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from threadline.engines.insights.schema import CANONICAL_SCHEMA


class Store:
    """A store directory. The engine never decides where data lives: the web app (its settings) and the command
    line (``--store`` or ``$THREADLINE_DATA_DIR``) resolve the directory and pass it in."""

    def __init__(self, root: str | os.PathLike[str]):
        if root is None:
            raise ValueError("no insights store directory given")
        self.root = Path(root)

    @property
    def batches_dir(self) -> Path:
        return self.root / "batches"

    @property
    def linkage_dir(self) -> Path:
        return self.root / "linkage"

    @property
    def clusters_path(self) -> Path:
        return self.linkage_dir / "clusters.parquet"

    @property
    def catalogue_path(self) -> Path:
        return self.root / "catalogue.duckdb"

    def ensure(self) -> Store:
        self.batches_dir.mkdir(parents=True, exist_ok=True)
        self.linkage_dir.mkdir(parents=True, exist_ok=True)
        return self

    def remove_leftovers(self) -> list[Path]:
        """Remove the temporary files (``.*.tmp``) of imports and linkages that were killed before they could
        clean up. Call it only when no import or linkage of this store is running."""
        removed = []
        for folder in (self.batches_dir, self.linkage_dir):
            for path in folder.glob(".*.tmp") if folder.is_dir() else ():
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def batch_files(self) -> list[Path]:
        if not self.batches_dir.exists():
            return []
        return sorted(self.batches_dir.glob("*.parquet"))

    def batches(self) -> list[dict]:
        out = []
        for path in self.batch_files():
            manifest = path.with_suffix(".json")
            if manifest.exists():
                out.append(json.loads(manifest.read_text()))
        return out

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"


def as_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """``store`` as a :class:`Store`; a missing one is an error (the caller resolves the directory)."""
    return store if isinstance(store, Store) else Store(store)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _records_sql(store: Store) -> str:
    files = store.batch_files()
    cols = ", ".join(f'"{f.name}"' for f in CANONICAL_SCHEMA)
    if not files:
        typed = ", ".join(f'CAST(NULL AS {_duck_type(f.type)}) AS "{f.name}"' for f in CANONICAL_SCHEMA)
        return f"SELECT {typed}, CAST(NULL AS VARCHAR) AS cluster_id WHERE false"
    file_list = "[" + ", ".join(_sql_str(str(p.resolve())) for p in files) + "]"
    base = f"SELECT {cols} FROM read_parquet({file_list}, union_by_name = true)"  # noqa: S608
    if store.clusters_path.exists():
        clusters = _sql_str(str(store.clusters_path.resolve()))
        return (
            f"SELECT r.*, coalesce(c.cluster_id, r.record_id) AS cluster_id FROM ({base}) r "  # noqa: S608
            f"LEFT JOIN read_parquet({clusters}) c USING (record_id)"
        )
    return f"SELECT *, record_id AS cluster_id FROM ({base})"  # noqa: S608


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_int8(t):
        return "TINYINT"
    if pa.types.is_int16(t):
        return "SMALLINT"
    if pa.types.is_int64(t):
        return "BIGINT"
    return "VARCHAR"


def connect(store: Store | str | os.PathLike[str] | None = None, *, persist: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a ``records`` view over the store (in memory unless ``persist``).

    With ``persist=True`` the view and the ``batches`` table are (re)written into ``catalogue.duckdb``;
    import and link do this so that other tools can open the catalogue directly.
    """
    st = as_store(store)
    if persist:
        st.ensure()
        con = duckdb.connect(str(st.catalogue_path))
    else:
        con = duckdb.connect()
    con.execute(f"CREATE OR REPLACE VIEW records AS {_records_sql(st)}").fetchall()
    rows = st.batches()
    con.execute(
        "CREATE OR REPLACE TABLE batches (batch_id VARCHAR, source VARCHAR, format VARCHAR, "
        "file_name VARCHAR, rows BIGINT, imported_at VARCHAR)"
    ).fetchall()
    if rows:
        con.executemany(
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?)",
            [[b["batch_id"], b["source"], b["format"], b["file_name"], b["rows"], b["imported_at"]] for b in rows],
        )
    return con


def refresh_catalogue(store: Store) -> None:
    """Rewrite ``catalogue.duckdb``; skipped when another process holds its lock (views are rebuilt on
    every :func:`connect` anyway, so the Parquet files stay the source of truth)."""
    with contextlib.suppress(duckdb.IOException):
        connect(store, persist=True).close()


def records_table(store: Store | str | os.PathLike[str] | None = None, columns: list[str] | None = None) -> pa.Table:
    """All records of the store as a pyarrow Table (canonical schema plus ``cluster_id``)."""
    con = connect(store)
    try:
        allowed = {f.name for f in CANONICAL_SCHEMA} | {"cluster_id"}
        unknown = [c for c in columns or [] if c not in allowed]
        if unknown:
            raise ValueError(f"unknown columns: {', '.join(unknown)}")
        select = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        return con.sql(f"SELECT {select} FROM records ORDER BY record_id").to_arrow_table()  # noqa: S608
    finally:
        con.close()
