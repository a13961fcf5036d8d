"""Stages after linking, shared by every backend: hubs, links, boilerplate, network features and risk, DuckDB views,
report (the per-ad files are the backend's)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from threadline.engines import csvsafe
from threadline.engines.online.evidence import add_network_evidence, network_evidence, write_boilerplate, write_links
from threadline.engines.online.lexicon import CATEGORIES, DERIVED_CATEGORIES, load_lexicon, load_risk_weights
from threadline.engines.online.risk import score_networks

ALL_CATEGORIES = CATEGORIES + DERIVED_CATEGORIES
HUB_TEXT_COLUMNS = ("kind", "value")  # hubs.csv columns of text, neutralised for spreadsheets
OUTPUT_FILES = ("ads.parquet", "entities.parquet", "indicators.parquet", "networks.parquet", "networks.csv",
                "hubs.csv", "rejects.jsonl", "report.html", "workspace.duckdb", "links.parquet",
                "boilerplate.parquet")  # fmt: skip


def _replace(tmp: Path, final: Path) -> None:
    os.replace(tmp, final)


NETWORK_SQL = """
WITH a AS (SELECT * FROM read_parquet('{ads}') WHERE {part}),
ph AS (SELECT network_id, count(DISTINCT v) n, list(DISTINCT v ORDER BY v)[1:20] l
       FROM (SELECT network_id, unnest(phones) v FROM a) GROUP BY 1),
em AS (SELECT network_id, count(DISTINCT v) n, list(DISTINCT v ORDER BY v)[1:20] l
       FROM (SELECT network_id, unnest(emails) v FROM a) GROUP BY 1),
hd AS (SELECT network_id, count(DISTINCT v) n, list(DISTINCT v ORDER BY v)[1:20] l
       FROM (SELECT network_id, unnest(handles) v FROM a) GROUP BY 1),
nm AS (SELECT network_id, count(DISTINCT v) n, list(DISTINCT v ORDER BY v)[1:20] l
       FROM (SELECT network_id, unnest(names) v FROM a) GROUP BY 1),
base AS (
  SELECT network_id, count(*) AS n_ads,
    count(DISTINCT site) AS n_sites, list(DISTINCT site ORDER BY site)[1:20] AS sites,
    count(DISTINCT lower(city)) AS n_cities, list(DISTINCT city ORDER BY city)[1:20] AS cities,
    min(posted_at) AS first_seen, max(posted_at) AS last_seen,
    count(DISTINCT CAST(posted_at AS DATE)) AS active_days,
    min(price_min) AS price_min, median(price_mean) AS price_median, avg(price_mean) AS price_mean,
    max(price_max) AS price_max,
    {cat_cols}
  FROM a GROUP BY network_id)
SELECT base.*,
  coalesce(ph.n, 0) AS n_phones, coalesce(ph.l, []) AS phones,
  coalesce(em.n, 0) AS n_emails, coalesce(em.l, []) AS emails,
  coalesce(hd.n, 0) AS n_handles, coalesce(hd.l, []) AS handles,
  coalesce(nm.n, 0) AS n_names, coalesce(nm.l, []) AS names,
  CASE WHEN first_seen IS NULL THEN NULL
       ELSE date_diff('second', first_seen, last_seen) / 86400.0 END AS span_days
FROM base LEFT JOIN ph USING (network_id) LEFT JOIN em USING (network_id) LEFT JOIN hd USING (network_id)
  LEFT JOIN nm USING (network_id)
"""


PASS_ADS = 1_000_000


def network_table(ads_path: Path, threads: int) -> pa.Table:
    """Per-network features (counts, lists, spans, indicator shares) over ``ads.parquet``, in DuckDB."""
    import duckdb

    cat_cols = ",\n    ".join(
        f"sum(CASE WHEN list_contains(indicator_categories, '{c}') THEN 1 ELSE 0 END)::BIGINT AS n_{c}"
        for c in ALL_CATEGORIES
    )
    con = duckdb.connect()
    con.execute(f"SET threads = {max(1, threads)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    ads = str(ads_path).replace("'", "''")
    n_rows = pq.ParquetFile(ads_path).metadata.num_rows
    # The per-network lists cannot spill to disk, so memory follows the networks aggregated at once: work in
    # passes over disjoint sets of networks (by hash), each about PASS_ADS ads.
    passes = max(1, -(-n_rows // PASS_ADS))
    parts = []
    for i in range(passes):
        part = "true" if passes == 1 else f"hash(network_id) % {passes} = {i}"
        parts.append(con.sql(NETWORK_SQL.format(ads=ads, cat_cols=cat_cols, part=part)).to_arrow_table())
    con.close()
    tbl = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    n_ads = tbl["n_ads"].to_numpy().astype(float)
    span = tbl["span_days"].to_numpy(zero_copy_only=False)
    span = np.nan_to_num(np.asarray(span, dtype=float), nan=0.0)
    active = np.maximum(tbl["active_days"].to_numpy().astype(float), 1.0)
    n_cities = tbl["n_cities"].to_numpy().astype(float)
    tbl = tbl.append_column("ads_per_day", pa.array(n_ads / active))
    tbl = tbl.append_column("cities_per_week", pa.array(n_cities / np.maximum(span / 7.0, 1.0)))
    cats_present = []
    for c in ALL_CATEGORIES:
        cnt = tbl[f"n_{c}"].to_numpy().astype(float)
        tbl = tbl.append_column(f"share_{c}", pa.array(cnt / n_ads))
        cats_present.append(cnt > 0)
    present = np.stack(cats_present, axis=1) if tbl.num_rows else np.zeros((0, len(ALL_CATEGORIES)), dtype=bool)
    offsets = np.zeros(tbl.num_rows + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    names = np.tile(np.array(ALL_CATEGORIES, dtype=object), tbl.num_rows)[present.ravel()]
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(names.tolist(), pa.string()))
    tbl = tbl.append_column("indicator_categories", lists)
    return tbl


def hub_rows(backend, arrays, hubs: list[dict], labels: np.ndarray) -> list[dict]:
    """hubs.csv rows: each hub key resolved to (kind, value) through one member ad's entities (by the backend),
    with the number of networks its ads ended up in."""
    resolved = backend.resolve_keys(arrays, [(int(h["example_row"]), int(h["key"])) for h in hubs]) if hubs else {}
    km = arrays.keep[arrays.key_rows] if len(arrays.key_rows) else np.zeros(0, dtype=bool)
    key_rows, keys_all = arrays.key_rows[km], arrays.keys[km]
    order = np.argsort(keys_all, kind="stable")  # one sort, then each hub's ads are a slice
    keys_sorted = keys_all[order]
    rows_out = []
    for h in hubs:
        kind, value = resolved.get(h["key"], ("?", "?"))
        k = np.uint64(h["key"])
        members = key_rows[order[np.searchsorted(keys_sorted, k, "left") : np.searchsorted(keys_sorted, k, "right")]]
        rows_out.append({"kind": kind, "value": value, "n_ads": h["n_ads"], "n_separate_groups": h["n_groups"],
                         "n_other_identifiers": h["n_other_identifiers"],
                         "n_networks_touched": len(np.unique(labels[members])) if len(members) else 0})  # fmt: skip
    rows_out.sort(key=lambda x: -x["n_ads"])
    return rows_out


def write_hubs_csv(out: Path, rows_out: list[dict]) -> None:
    cols = ["kind", "value", "n_ads", "n_separate_groups", "n_other_identifiers", "n_networks_touched"]
    tbl = pa.table({c: [r[c] for r in rows_out] for c in cols},
                   schema=pa.schema([(c, pa.string() if c in ("kind", "value") else pa.int64())
                                     for c in cols]))  # fmt: skip
    tmp = out / "hubs.csv.tmp"
    pacsv.write_csv(csvsafe.table(tbl), str(tmp))
    _replace(tmp, out / "hubs.csv")


def write_duckdb(out: Path) -> None:
    """``workspace.duckdb`` with one view per Parquet file (absolute paths; see ``workspace.connect``)."""
    import duckdb

    tmp = out / "workspace.duckdb.tmp"
    if tmp.exists():
        tmp.unlink()
    con = duckdb.connect(str(tmp))
    for name in ("ads", "entities", "indicators", "networks", "links", "boilerplate"):
        p = str((out / f"{name}.parquet").resolve()).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{p}')")  # noqa: S608
    hubs = csvsafe.read_csv_select(str((out / "hubs.csv").resolve()), HUB_TEXT_COLUMNS)
    con.execute(f"CREATE OR REPLACE VIEW hubs AS {hubs}")
    con.close()
    _replace(tmp, out / "workspace.duckdb")


def finalize(out: Path, backend, arrays, lr, network_ids: np.ndarray, opts, clock) -> dict:
    """Stages 3 and 4 of every backend: the backend writes the per-ad files, then (shared) hubs, links,
    boilerplate, per-network features, evidence and risk, DuckDB views and the report."""
    clock.start("write")
    written = backend.write(out, arrays, network_ids)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the per-network features need only ads.parquet: DuckDB computes them (GIL released) while this thread
        # writes the evidence files, mostly Python; their time is counted in the stage that waits for them
        features = pool.submit(network_table, out / "ads.parquet", backend.workers)
        hubs = hub_rows(backend, arrays, lr.hubs, lr.labels)
        write_hubs_csv(out, hubs)
        write_links(out, lr, arrays.keep, network_ids)
        write_boilerplate(out, lr.boilerplate, arrays.keep, opts.boilerplate_min_groups)
        clock.end()

        clock.start("networks")
        weights = load_risk_weights(opts.risk_weights)
        tbl = features.result()
    tbl = add_network_evidence(tbl, network_evidence(lr, network_ids))
    tbl = score_networks(tbl, weights)
    tbl = tbl.sort_by([("risk_score", "descending"), ("n_ads", "descending"), ("network_id", "ascending")])
    tmp = out / "networks.parquet.tmp"
    pq.write_table(tbl, tmp, compression="zstd", row_group_size=100_000)
    _replace(tmp, out / "networks.parquet")
    write_duckdb(out)
    clock.end()

    n_ads = tbl["n_ads"].to_numpy() if tbl.num_rows else np.zeros(0)
    res = {
        "duplicates": written.n_duplicates, "n_networks": int(tbl.num_rows), "n_multi": int((n_ads >= 2).sum()),
        "ads_in_multi": int(n_ads[n_ads >= 2].sum()), "n_entities": written.n_entities,
        "n_indicators": written.n_indicators, "lexicon_versions": load_lexicon(opts.lexicons).versions,
        "risk_version": str(weights.get("version")),
    }  # fmt: skip
    if opts.html_report:
        clock.start("report")
        from threadline.engines.online.report import write_report

        write_report(out, tbl, hubs, clock.times, opts.report_top)
        clock.end()
    return res
