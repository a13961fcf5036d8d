# ruff: noqa: S608 - SQL text holds only server-side file paths and fixed column names; values are parameters
"""Reading a scan's workspace (its Parquet files) in DuckDB: views for ad-hoc SQL, a lookup by identifier as typed,
and the read-only queries of the app's review pages.

The ads of a large corpus are never copied into the application database: lists page through
``networks.parquet`` directly (it is small next to the ads and sorted by risk), and a network's ads, identifiers
and indicator evidence are read from ``ads.parquet``, ``entities.parquet`` and ``indicators.parquet`` by id.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from threadline.engines import csvsafe
from threadline.engines.online.corrections import OVERLAY_DIR, OVERLAY_TABLES
from threadline.engines.online.extract import normalize_query
from threadline.engines.online.finalize import HUB_TEXT_COLUMNS
from threadline.engines.online.lexicon import CATEGORIES, DERIVED_CATEGORIES, load_risk_weights

ALL_CATEGORIES = CATEGORIES + DERIVED_CATEGORIES
LIST_COLUMNS = (
    "network_id, n_ads, n_sites, sites, n_cities, cities, first_seen, last_seen, n_phones, n_names, "
    "indicator_categories, risk_score"
)
COUNT_FEATURES = ("n_ads", "n_phones", "n_cities", "n_names", "n_sites")  # as in the engine's risk score
_local = threading.local()


def _connection():
    """One in-memory DuckDB connection per thread (DuckDB connections are not shared across threads)."""
    import duckdb

    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        con.execute("SET threads = 2")
        _local.con = con
    return con


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class Workspace:
    root: Path

    def file(self, name: str) -> Path:
        return self.root / f"{name}.parquet"

    def exists(self) -> bool:
        return (self.root / "networks.parquet").exists()

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = _connection().cursor()
        try:
            result = cur.execute(sql, params or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        finally:
            cur.close()

    def scalar(self, sql: str, params: list | None = None):
        cur = _connection().cursor()
        try:
            row = cur.execute(sql, params or []).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    def overlay(self) -> Path | None:
        """The analysts' corrections overlay (``corrections/``, see ``corrections.py``) when there is one."""
        d = self.root / OVERLAY_DIR
        return d if (d / "replaced.parquet").exists() else None

    def _corrected(self, name: str, base: str, columns: str = "*") -> str:
        """``base`` without the networks the corrections replaced, plus their corrected rows."""
        d = self.overlay()
        if d is None or name not in OVERLAY_TABLES:
            return base
        return (f"(SELECT * FROM {base} WHERE network_id NOT IN "
                f"(SELECT network_id FROM read_parquet({_q(d / 'replaced.parquet')})) "
                f"UNION ALL SELECT {columns} FROM read_parquet({_q(d / f'{name}.parquet')}))")  # fmt: skip

    def src(self, name: str) -> str:
        return self._corrected(name, f"read_parquet({_q(self.file(name))})")

    def indexed(self, name: str, order: str = "network") -> str:
        """The app's copy of a file sorted by network id (or identifier value) when it exists: row-group
        statistics then let DuckDB skip almost every row group when it looks up one network."""
        path = self.root / INDEX_DIR / f"{name}_by_{order}.parquet"
        if not path.exists():
            return self.src(name)
        columns = "kind, value, network_id" if order == "value" else "*"
        return self._corrected(name, f"read_parquet({_q(path)})", columns)


INDEX_DIR = "review-index"


def build_review_index(ws: Workspace) -> None:
    """Copies of ads, entities and indicators sorted by network id, and identifiers sorted by value, written next
    to the engine's files (in ``review-index/``) so a network page and an identifier search read few rows."""
    out = ws.root / INDEX_DIR
    out.mkdir(exist_ok=True)
    cur = _connection().cursor()
    try:
        cur.execute("SET preserve_insertion_order = false")
        for name, select, order, suffix in (
            ("ads", "*", "network_id, posted_at, ad_id", "network"),
            ("entities", "*", "network_id, ad_id", "network"),
            ("indicators", "*", "network_id, ad_id", "network"),
            ("entities", "kind, value, network_id", "value, kind", "value"),
        ):
            target = out / f"{name}_by_{suffix}.parquet"
            tmp = target.with_suffix(".tmp")
            cur.execute(
                f"COPY (SELECT {select} FROM {ws.src(name)} ORDER BY {order}) TO {_q(tmp)} "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 20000)"
            )
            tmp.replace(target)
    finally:
        cur.close()


# ----------------------------------------------------------------------------------------------- risk score
def default_weights() -> dict:
    return load_risk_weights()


def effective_weights(overrides: dict | None) -> dict:
    """The packaged weights with an investigation's accepted changes applied (feature -> weight)."""
    base = default_weights()
    feats = {k: dict(v) for k, v in base.get("features", {}).items()}
    for name, weight in (overrides or {}).items():
        if name in feats:
            feats[name]["weight"] = float(weight)
    return {**base, "features": feats}


def score_sql(overrides: dict | None) -> str:
    """SQL for the risk score with changed weights (same formula as the engine's ``score_networks``)."""
    if not overrides:
        return "risk_score"
    feats = effective_weights(overrides)["features"]
    total = sum(float(v["weight"]) for v in feats.values()) or 1.0
    parts = []
    for name, spec in feats.items():
        value = f"coalesce(CAST({name} AS DOUBLE), 0)"
        if name in COUNT_FEATURES:
            value = f"greatest({value} - 1, 0)"
        parts.append(f"{float(spec['weight'])!r} * least({value} / {float(spec['cap'])!r}, 1)")
    return f"round(({' + '.join(parts)}) / {total!r} * 100, 2)"


def explain(network: dict, overrides: dict | None) -> list[dict]:
    """Each feature's contribution to one network's score, largest first (the engine's explanation)."""
    if not overrides:
        try:
            return json.loads(network.get("risk_explanation") or "[]")
        except ValueError:
            return []
    weights = effective_weights(overrides)["features"]
    total = sum(float(v["weight"]) for v in weights.values()) or 1.0
    items = []
    for name, spec in weights.items():
        raw = float(network.get(name) or 0)
        value = max(raw - 1, 0) if name in COUNT_FEATURES else raw
        points = float(spec["weight"]) * min(value / float(spec["cap"]), 1) / total * 100
        if points > 0:
            items.append({"feature": name, "label": spec.get("label", name), "value": round(raw, 3),
                          "points": round(points, 2)})  # fmt: skip
    return sorted(items, key=lambda x: -x["points"])


# ----------------------------------------------------------------------------------------------- networks
@dataclass
class NetworkFilter:
    category: str = ""
    city: str = ""
    site: str = ""
    min_ads: int | None = None
    max_ads: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_ids: list[str] | None = None  # only these networks (review status, identifier search)
    exclude_ids: list[str] = field(default_factory=list)

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.category:
            clauses.append("list_contains(indicator_categories, ?)")
            params.append(self.category)
        if self.city:
            clauses.append("list_contains(list_transform(cities, lambda c: lower(c)), lower(?))")
            params.append(self.city.strip())
        if self.site:
            clauses.append("list_contains(sites, ?)")
            params.append(self.site.strip())
        if self.min_ads is not None:
            clauses.append("n_ads >= ?")
            params.append(int(self.min_ads))
        if self.max_ads is not None:
            clauses.append("n_ads <= ?")
            params.append(int(self.max_ads))
        if self.date_from is not None:
            clauses.append("last_seen >= CAST(? AS TIMESTAMPTZ)")
            params.append(self.date_from.isoformat())
        if self.date_to is not None:
            clauses.append("first_seen < CAST(? AS TIMESTAMPTZ) + INTERVAL 1 DAY")
            params.append(self.date_to.isoformat())
        if self.include_ids is not None:
            clauses.append("network_id IN (SELECT unnest(CAST(? AS VARCHAR[])))")
            params.append(list(self.include_ids))
        if self.exclude_ids:
            clauses.append("network_id NOT IN (SELECT unnest(CAST(? AS VARCHAR[])))")
            params.append(list(self.exclude_ids))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def network_page(ws: Workspace, flt: NetworkFilter, *, offset: int, limit: int, overrides: dict | None = None):
    """One page of networks ranked by risk, and how many match in all."""
    if flt.include_ids is not None and not flt.include_ids:
        return [], 0
    where, params = flt.where()
    score = score_sql(overrides)
    rows = ws.rows(
        f"SELECT {LIST_COLUMNS.replace('risk_score', score + ' AS risk_score')} FROM {ws.src('networks')}{where} "
        "ORDER BY risk_score DESC, n_ads DESC, network_id LIMIT ? OFFSET ?",
        [*params, int(limit), int(offset)],
    )
    total = ws.scalar(f"SELECT count(*) FROM {ws.src('networks')}{where}", params)
    return rows, int(total or 0)


def network_ids_ranked(ws: Workspace, ids: list[str], overrides: dict | None = None) -> list[dict]:
    """Risk score of the given networks (for calibration over labelled networks)."""
    if not ids:
        return []
    feats = ", ".join(effective_weights(None)["features"])
    return ws.rows(
        f"SELECT network_id, {score_sql(overrides)} AS risk_score, {feats} FROM {ws.src('networks')} "
        "WHERE network_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
        [list(ids)],
    )


def network_get(ws: Workspace, network_id: str) -> dict | None:
    rows = ws.rows(f"SELECT * FROM {ws.src('networks')} WHERE network_id = ?", [network_id])
    return rows[0] if rows else None


_facet_cache: dict[tuple, object] = {}
_facet_lock = threading.Lock()


def _cached(ws: Workspace, name: str, compute):
    """Per-process cache of small workspace summaries (a workspace changes only with its corrections overlay)."""
    stamp = []
    for path in (ws.root / "networks.parquet", ws.root / OVERLAY_DIR / "replaced.parquet"):
        try:
            stamp.append(path.stat().st_mtime_ns)
        except OSError:
            stamp.append(0)
    key = (str(ws.root), name, tuple(stamp))
    with _facet_lock:
        if key in _facet_cache:
            return _facet_cache[key]
    value = compute()
    with _facet_lock:
        if len(_facet_cache) > 256:
            _facet_cache.clear()
        _facet_cache[key] = value
    return value


def facets(ws: Workspace) -> dict:
    """Sites and most frequent cities, for the filter choices (cached)."""
    return _cached(ws, "facets", lambda: _facets(ws))


def _facets(ws: Workspace) -> dict:
    sites = ws.rows(f"SELECT site, count(*) n FROM {ws.src('ads')} GROUP BY 1 ORDER BY 2 DESC LIMIT 50")
    cities = ws.rows(
        f"SELECT city, count(*) n FROM {ws.src('ads')} WHERE city IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 100"
    )
    return {"sites": [r["site"] for r in sites if r["site"]], "cities": sorted(r["city"] for r in cities)}


def regions(ws: Workspace) -> list[str]:
    """Phone regions of the ads, to read a number typed without its country code (cached)."""

    def compute():
        rows = ws.rows(f"SELECT DISTINCT region FROM {ws.src('ads')} WHERE region IS NOT NULL LIMIT 20")
        return sorted(r["region"] for r in rows)

    return _cached(ws, "regions", compute)


def search_candidates(query: str, region_list: list[str]) -> list[tuple[str, str]]:
    """The identifier as typed, normalised as extraction does, for each region the ads come from."""
    found: list[tuple[str, str]] = []
    for region in [None, *region_list]:
        for cand in normalize_query(query, region):
            if cand not in found:
                found.append(cand)
    return found


def search_networks(ws: Workspace, query: str, *, limit: int = 5000) -> list[str]:
    """Network ids whose ads carry the identifier typed (a phone in any format, an email, a handle, a URL)."""
    query = query.strip()
    if not query:
        return []
    ids: list[str] = []
    if query[:1] in ("N", "R", "S") and len(query) == 17:  # scanned, removed-ad and split-off network ids
        ids += [r["network_id"] for r in ws.rows(
            f"SELECT network_id FROM {ws.src('networks')} WHERE network_id = ?", [query])]  # fmt: skip
    ids += [r["network_id"] for r in ws.rows(
        f"SELECT network_id FROM {ws.src('ads')} WHERE ad_id = ? LIMIT 1", [query])]  # fmt: skip
    cands = search_candidates(query, regions(ws))
    if cands:
        values = sorted({v for _k, v in cands})
        marks = ", ".join("?" for _ in values)
        rows = ws.rows(
            f"SELECT DISTINCT network_id, kind, value FROM {ws.indexed('entities', 'value')} "
            f"WHERE value IN ({marks}) LIMIT ?",
            [*values, limit],
        )
        pairs = set(cands)  # kind and value must match together
        ids += [r["network_id"] for r in rows if (r["kind"], r["value"]) in pairs]
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------------------------- one network
AD_COLUMNS = (
    "ad_id, site, url, posted_at, city, country, title, body, phones, emails, handles, urls, names, ages, "
    "image_hashes, price_min, price_max, currency, indicator_categories, obscured_contact"
)


def network_ads(ws: Workspace, network_id: str, *, limit: int = 500, every_column: bool = False) -> list[dict]:
    """A network's ads in time order; ``every_column`` adds source file and line, region and unmapped fields."""
    columns = "* EXCLUDE (network_id)" if every_column else AD_COLUMNS
    return ws.rows(
        f"SELECT {columns} FROM {ws.indexed('ads')} WHERE network_id = ? ORDER BY posted_at, ad_id LIMIT ?",
        [network_id, limit],
    )


def network_indicators(ws: Workspace, network_id: str) -> list[dict]:
    columns = 'ad_id, category, language, weight, matched, field, start, "end", pattern'
    return ws.rows(
        f"SELECT {columns} FROM {ws.indexed('indicators')} WHERE network_id = ? ORDER BY ad_id, field, start",
        [network_id],
    )


def network_entities(ws: Workspace, network_id: str) -> list[dict]:
    return ws.rows(
        f'SELECT ad_id, kind, value, raw, field, start, "end", obfuscated FROM {ws.indexed("entities")} '
        "WHERE network_id = ? ORDER BY ad_id, field, start",
        [network_id],
    )


def network_links(ws: Workspace, network_id: str) -> list[dict]:
    """The links that hold a network together (``links.parquet``; none for a workspace scanned before it)."""
    if not ws.file("links").exists():
        return []
    return ws.rows(
        f"SELECT ad_id, other_ad_id, kind, value FROM {ws.src('links')} WHERE network_id = ? "
        "ORDER BY ad_id, kind, other_ad_id",
        [network_id],
    )


def ad_network_ids(ws: Workspace, ad_ids: list[str], *, scanned: bool = False) -> dict[str, str]:
    """Each ad's network (``scanned``: as the engine grouped it, before the analysts' corrections)."""
    if not ad_ids:
        return {}
    src = f"read_parquet({_q(ws.file('ads'))})" if scanned else ws.src("ads")
    rows = ws.rows(
        f"SELECT ad_id, network_id FROM {src} WHERE ad_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
        [list(ad_ids)],
    )
    return {r["ad_id"]: r["network_id"] for r in rows}


def network_exists(ws: Workspace, network_ids: list[str]) -> set[str]:
    if not network_ids:
        return set()
    rows = ws.rows(
        f"SELECT network_id FROM {ws.src('networks')} WHERE network_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
        [list(network_ids)],
    )
    return {r["network_id"] for r in rows}


def identifiers_of(ws: Workspace, network_ids: list[str], kinds: tuple[str, ...]) -> list[dict]:
    """Distinct normalised identifiers of the given networks (for partner signals)."""
    if not network_ids:
        return []
    return ws.rows(
        f"SELECT DISTINCT kind, value FROM {ws.indexed('entities')} "
        "WHERE network_id IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
        "AND list_contains(?, kind) ORDER BY kind, value",
        [list(network_ids), list(kinds)],
    )


# ------------------------------------------------------------------------------------------ ad-hoc SQL views
TABLES = ("ads", "entities", "indicators", "networks")


def connect(workspace: str | Path, con=None):
    """A DuckDB connection (in memory unless given) with views ads, entities, indicators, networks and hubs."""
    import duckdb

    ws = Path(workspace).resolve()
    con = con or duckdb.connect()
    for name in TABLES:
        p = str(ws / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{p}')")
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
