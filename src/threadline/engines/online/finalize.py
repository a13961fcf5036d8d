"""Stages after linking: workspace files, network features and risk, hubs, rejects, DuckDB views, report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from threadline.engines import csvsafe
from threadline.engines.online.analyse import KIND_NAMES, LINK_KINDS, link_key
from threadline.engines.online.evidence import add_network_evidence, network_evidence, write_boilerplate, write_links
from threadline.engines.online.lexicon import CATEGORIES, DERIVED_CATEGORIES, load_lexicon, load_risk_weights
from threadline.engines.online.minhash import BANDS, NUM_PERM
from threadline.engines.online.risk import score_networks

ALL_CATEGORIES = CATEGORIES + DERIVED_CATEGORIES
HUB_TEXT_COLUMNS = ("kind", "value")  # hubs.csv columns of text, neutralised for spreadsheets
OUTPUT_FILES = ("ads.parquet", "entities.parquet", "indicators.parquet", "networks.parquet", "networks.csv",
                "hubs.csv", "rejects.jsonl", "report.html", "workspace.duckdb", "links.parquet",
                "boilerplate.parquet")  # fmt: skip


def load_link_arrays(parts: Path, task_ids: list[str]) -> dict:
    key_rows, keys, kinds, sigs, bands, shingles, n_sh, ids, offsets = [], [], [], [], [], [], [], [], [0]
    for t in task_ids:
        with np.load(parts / f"link-{t}.npz") as z:
            n = len(z["id_hash"])
            key_rows.append(z["key_rows"].astype(np.int64) + offsets[-1])
            keys.append(z["keys"])
            kinds.append(z["key_kinds"])
            sigs.append(z["sig"])
            bands.append(z["bands"])
            shingles.append(z["shingles"])
            n_sh.append(z["n_shingles"])
            ids.append(z["id_hash"])
        offsets.append(offsets[-1] + n)
    e64 = np.zeros(0, dtype=np.int64)
    id_hash = np.concatenate(ids) if ids else np.zeros(0, np.uint64)
    n = len(id_hash)
    sh_offsets = np.zeros(n + 1, dtype=np.int64)
    if n:
        np.cumsum(np.concatenate(n_sh), out=sh_offsets[1:])
    keep = np.ones(n, dtype=bool)
    if n:
        order = np.argsort(id_hash, kind="stable")
        sh = id_hash[order]
        dup = np.zeros(n, dtype=bool)
        dup[1:] = sh[1:] == sh[:-1]
        keep[order[dup]] = False
    return {
        "n": n, "key_rows": np.concatenate(key_rows) if ids else e64,
        "keys": np.concatenate(keys) if ids else np.zeros(0, np.uint64),
        "key_kinds": np.concatenate(kinds) if ids else np.zeros(0, np.int8),
        "sig": np.concatenate(sigs) if ids else np.zeros((0, NUM_PERM), np.uint16),
        "bands": np.concatenate(bands) if ids else np.zeros((0, BANDS), np.uint64),
        "shingles": np.concatenate(shingles) if ids else np.zeros(0, np.uint32), "sh_offsets": sh_offsets,
        "id_hash": id_hash, "offsets": np.array(offsets, dtype=np.int64), "keep": keep,
    }  # fmt: skip


def _replace(tmp: Path, final: Path) -> None:
    os.replace(tmp, final)


def _stream_outputs(out: Path, parts: Path, task_ids: list[str], arrays: dict, network_ids: np.ndarray):
    """Write ads/entities/indicators Parquet with network_id, networks.csv and the duplicate-id rejects.

    The three outputs are written by three threads (Parquet reading, compression and writing release the GIL),
    each streaming the part files in task order.
    """
    from concurrent.futures import ThreadPoolExecutor

    offsets = arrays["offsets"]
    keep = arrays["keep"]
    nid_all = pa.array(network_ids, pa.string()) if len(network_ids) else pa.array([], pa.string())

    def write_ads() -> list[dict]:
        dup_rejects: list[dict] = []
        csv_tmp = out / "networks.csv.tmp"
        writer = csv_writer = None
        try:
            for i, t in enumerate(task_ids):
                lo, hi = int(offsets[i]), int(offsets[i + 1])
                kslice = keep[lo:hi]
                kmask = pa.array(kslice)
                ads = pq.read_table(parts / f"ads-{t}.parquet")
                if not kslice.all():
                    dropped = ads.filter(pc.invert(kmask))
                    for a, fsrc, line in zip(dropped["ad_id"].to_pylist(), dropped["source_file"].to_pylist(),
                                             dropped["source_line"].to_pylist(), strict=True):  # fmt: skip
                        dup_rejects.append({"file": fsrc, "line": line,
                                            "reason": "duplicate id (an earlier record has it)", "id": a})  # fmt: skip
                ads = ads.append_column("network_id", nid_all.slice(lo, hi - lo)).filter(kmask)
                if writer is None:
                    writer = pq.ParquetWriter(out / "ads.parquet.tmp", ads.schema, compression="zstd")
                writer.write_table(ads)
                two = pa.table({"ad_id": ads["ad_id"], "network_id": ads["network_id"]})
                if csv_writer is None:
                    csv_writer = pacsv.CSVWriter(str(csv_tmp), two.schema,
                                                 write_options=pacsv.WriteOptions(quoting_style="needed"))  # fmt: skip
                csv_writer.write_table(csvsafe.table(two))
        finally:
            if writer is not None:
                writer.close()
            if csv_writer is not None:
                csv_writer.close()
        if csv_writer is None:
            csv_tmp.write_text('"ad_id","network_id"\n')
        return dup_rejects

    def write_rows(name: str, fname: str) -> int:
        n_rows = 0
        writer = None
        try:
            for i, t in enumerate(task_ids):
                lo = int(offsets[i])
                tbl = pq.read_table(parts / f"{name}-{t}.parquet")
                rows = tbl["row"].to_numpy()
                if len(rows):
                    tbl = tbl.append_column("network_id", nid_all.take(pa.array(lo + rows.astype(np.int64))))
                    tbl = tbl.filter(pa.array(keep[lo + rows]))
                else:
                    tbl = tbl.append_column("network_id", pa.array([], pa.string()))
                tbl = tbl.drop_columns(["row"])
                if writer is None:
                    writer = pq.ParquetWriter(out / f"{fname}.parquet.tmp", tbl.schema, compression="zstd")
                writer.write_table(tbl)
                n_rows += tbl.num_rows
        finally:
            if writer is not None:
                writer.close()
        return n_rows

    with ThreadPoolExecutor(max_workers=3) as pool:
        f_ads = pool.submit(write_ads)
        f_ent = pool.submit(write_rows, "ent", "entities")
        f_ind = pool.submit(write_rows, "ind", "indicators")
        dup_rejects, n_ent, n_ind = f_ads.result(), f_ent.result(), f_ind.result()
    for fname in ("ads", "entities", "indicators"):
        tmp = out / f"{fname}.parquet.tmp"
        if not tmp.exists():
            from threadline.engines.online.analyse import ADS_SCHEMA, ENTITIES_SCHEMA, INDICATORS_SCHEMA

            sch = {"ads": ADS_SCHEMA, "entities": ENTITIES_SCHEMA.remove(1),
                   "indicators": INDICATORS_SCHEMA.remove(1)}[fname]  # fmt: skip
            pq.write_table(sch.append(pa.field("network_id", pa.string())).empty_table(), tmp)
        _replace(tmp, out / f"{fname}.parquet")
    _replace(out / "networks.csv.tmp", out / "networks.csv")
    return dup_rejects, n_ent, n_ind


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


def _network_table(ads_path: Path, threads: int) -> pa.Table:
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


def _hub_rows(out: Path, parts: Path, task_ids: list[str], arrays: dict, hubs: list[dict], labels: np.ndarray):
    """Resolve hub keys to (kind, value) through one member ad's entities (each part file read at most once)."""
    offsets = arrays["offsets"]
    by_task: dict[int, list[dict]] = {}
    for h in hubs:
        ti = int(np.searchsorted(offsets, h["example_row"], "right") - 1)
        by_task.setdefault(ti, []).append(h)
    resolved: dict[int, tuple[str, str]] = {}
    for ti, hs in by_task.items():
        ent = pq.read_table(parts / f"ent-{task_ids[ti]}.parquet", columns=["row", "kind", "value"])
        want = {h["example_row"] - int(offsets[ti]) for h in hs}
        keys = {h["key"] for h in hs}
        for r, k, v in zip(ent["row"].to_pylist(), ent["kind"].to_pylist(), ent["value"].to_pylist(), strict=True):
            if r in want and k in LINK_KINDS:
                lk = link_key(k, v)
                if lk in keys:
                    resolved[lk] = (k, v)
    key_rows = arrays["key_rows"]
    keys_all = arrays["keys"]
    rows_out = []
    for h in hubs:
        kind, value = resolved.get(h["key"], ("?", "?"))
        members = key_rows[keys_all == np.uint64(h["key"])]
        rows_out.append({"kind": kind, "value": value, "n_ads": h["n_ads"], "n_separate_groups": h["n_groups"],
                         "n_other_identifiers": h["n_other_identifiers"],
                         "n_networks_touched": len(np.unique(labels[members])) if len(members) else 0})  # fmt: skip
    rows_out.sort(key=lambda x: -x["n_ads"])
    cols = ["kind", "value", "n_ads", "n_separate_groups", "n_other_identifiers", "n_networks_touched"]
    tbl = pa.table({c: [r[c] for r in rows_out] for c in cols},
                   schema=pa.schema([(c, pa.string() if c in ("kind", "value") else pa.int64())
                                     for c in cols]))  # fmt: skip
    tmp = out / "hubs.csv.tmp"
    pacsv.write_csv(csvsafe.table(tbl), str(tmp))
    _replace(tmp, out / "hubs.csv")
    return rows_out


def _write_rejects(out: Path, parts: Path, task_ids: list[str], extra: list[dict]) -> None:
    tmp = out / "rejects.jsonl.tmp"
    with open(tmp, "wb") as fh:
        for t in task_ids:
            p = parts / f"rej-{t}.jsonl"
            if p.exists():
                fh.write(p.read_bytes())
        for r in extra:
            fh.write((json.dumps(r, ensure_ascii=False) + "\n").encode())
    _replace(tmp, out / "rejects.jsonl")


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


def finalize(out: Path, parts: Path, task_ids: list[str], arrays: dict, lr, network_ids: np.ndarray, opts, st,
             cancel_check) -> dict:  # fmt: skip
    st.start("write")
    dup_rejects, n_ent, n_ind = _stream_outputs(out, parts, task_ids, arrays, network_ids)
    hubs = _hub_rows(out, parts, task_ids, arrays, lr.hubs, lr.labels)
    _write_rejects(out, parts, task_ids, dup_rejects)
    write_links(out, lr, arrays["keep"], network_ids)
    write_boilerplate(out, lr.boilerplate, arrays["keep"], opts.boilerplate_min_groups)
    st.end()

    st.start("networks")
    weights = load_risk_weights(opts.risk_weights)
    tbl = _network_table(out / "ads.parquet", opts.workers or (os.cpu_count() or 1))
    tbl = add_network_evidence(tbl, network_evidence(lr, network_ids))
    tbl = score_networks(tbl, weights)
    tbl = tbl.sort_by([("risk_score", "descending"), ("n_ads", "descending"), ("network_id", "ascending")])
    tmp = out / "networks.parquet.tmp"
    pq.write_table(tbl, tmp, compression="zstd", row_group_size=100_000)
    _replace(tmp, out / "networks.parquet")
    write_duckdb(out)
    st.end()

    n_ads = tbl["n_ads"].to_numpy() if tbl.num_rows else np.zeros(0)
    lex = load_lexicon(opts.lexicons)
    res = {
        "duplicates": len(dup_rejects), "n_networks": int(tbl.num_rows), "n_multi": int((n_ads >= 2).sum()),
        "ads_in_multi": int(n_ads[n_ads >= 2].sum()), "n_entities": n_ent, "n_indicators": n_ind,
        "lexicon_versions": lex.versions, "risk_version": str(weights.get("version")),
    }  # fmt: skip
    if opts.html_report:
        st.start("report")
        from threadline.engines.online.report import write_report

        write_report(out, tbl, hubs, st.times, opts.report_top)
        st.end()
    _ = KIND_NAMES
    return res
