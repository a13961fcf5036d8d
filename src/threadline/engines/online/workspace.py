"""Reading a scan workspace: DuckDB views over its Parquet files, and a lookup by identifier as typed."""

from __future__ import annotations

from pathlib import Path

from threadline.engines import csvsafe
from threadline.engines.online.extract import normalize_query
from threadline.engines.online.finalize import HUB_TEXT_COLUMNS

TABLES = ("ads", "entities", "indicators", "networks")


def connect(workspace: str | Path, con=None):
    """A DuckDB connection (in memory unless given) with views ads, entities, indicators, networks and hubs."""
    import duckdb

    ws = Path(workspace).resolve()
    con = con or duckdb.connect()
    for name in TABLES:
        p = str(ws / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{p}')")  # noqa: S608
    hubs = csvsafe.read_csv_select(str(ws / "hubs.csv"), HUB_TEXT_COLUMNS, "header = true, all_varchar = true")
    con.execute(f"CREATE OR REPLACE VIEW hubs AS {hubs}")
    return con


def find_networks(con, query: str, region: str | None = None, limit: int = 100) -> list[tuple[str, str, str]]:
    """(kind, value, network_id) for an identifier typed in any format (normalised like extraction)."""
    out = []
    for kind, value in normalize_query(query, region):
        rows = con.execute(
            "SELECT DISTINCT kind, value, network_id FROM entities WHERE kind = ? AND value = ? LIMIT ?",
            [kind, value, limit],
        ).fetchall()
        out.extend(rows)
    return out
