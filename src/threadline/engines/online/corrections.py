# ruff: noqa: S608 - SQL text holds only server-side file paths; values are parameters
"""Analysts' grouping corrections as an overlay on a workspace: the engine's files stay as scanned, and the
networks the corrections change are rewritten into ``corrections/`` next to them.

A correction names an ad (kept by ad id, so it outlives a re-scan): ``remove`` puts the ad in a network of its
own (``R`` + a hash of its id), ``split`` puts the ads that share a ``part`` in a network of their own (``S`` + a
hash of the part). Every network that loses or gains an ad is *replaced*: its rows in ``ads``, ``entities``,
``indicators`` and ``links`` are copied with the corrected network ids (a link whose two ads end up apart is
dropped: it no longer holds anything together), and its ``networks`` row is computed again (counts, lists,
evidence and risk score, with the scan's risk weights). :class:`~.workspace.Workspace` reads each table as the
scanned rows of the networks not replaced plus the overlay, so lists, counts, detail pages and exports agree.

Files (written to temporary names, then the directory is swapped in, so a reader sees the old overlay or the new
one): ``replaced.parquet`` (``network_id``), ``ads/entities/indicators/links/networks.parquet``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OVERLAY_DIR = "corrections"
OVERLAY_TABLES = ("ads", "entities", "indicators", "links", "networks")
REMOVE, SPLIT = "remove", "split"


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def corrected_ids(current: dict[str, str], corrections: list[dict]) -> dict[str, str]:
    """Ad id -> corrected network id, for the corrected ads that really move (``current``: ad id -> scanned
    network id). A split part that is a whole network already, or a removed ad alone already, does not move."""
    new: dict[str, str] = {}
    parts: dict[tuple[str, str], list[str]] = {}
    for c in corrections:
        ad_id, old = c["ad_id"], current.get(c["ad_id"])
        if old is None:
            continue  # not in this scan
        if c["action"] == REMOVE:
            new[ad_id] = "R" + _h(ad_id)
        elif c["action"] == SPLIT and c.get("part"):
            parts.setdefault((c["part"], old), []).append(ad_id)
    olds_of_part: dict[str, set[str]] = {}
    for part, old in parts:
        olds_of_part.setdefault(part, set()).add(old)
    for (part, old), ads in parts.items():
        nid = "S" + (_h(part) if len(olds_of_part[part]) == 1 else _h(part + "|" + old))
        for ad_id in ads:
            new[ad_id] = nid
    return new


def apply_corrections(root: str | Path, corrections: list[dict], *, risk_weights: str | None = None) -> dict:
    """Write (or remove) the overlay of ``corrections`` (dicts with ``ad_id``, ``action``, ``part``) on the
    workspace at ``root``; returns how many ads moved and how many networks were replaced."""
    import duckdb

    root = Path(root)
    target = root / OVERLAY_DIR
    if not corrections:
        shutil.rmtree(target, ignore_errors=True)
        return {"ads_moved": 0, "networks_replaced": 0}
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        ads_src = f"read_parquet({_q(root / 'ads.parquet')})"
        wanted = sorted({c["ad_id"] for c in corrections})
        current = dict(con.execute(
            f"SELECT ad_id, network_id FROM {ads_src} WHERE ad_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
            [wanted]).fetchall())  # fmt: skip
        moved = corrected_ids(current, corrections)
        # a group that would take every ad of its network with it moves nothing
        sizes = dict(con.execute(
            f"SELECT network_id, count(*) FROM {ads_src} WHERE network_id IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
            "GROUP BY 1", [sorted({current[a] for a in moved})]).fetchall()) if moved else {}  # fmt: skip
        groups: dict[tuple[str, str], int] = {}
        for ad_id, nid in moved.items():
            groups[(current[ad_id], nid)] = groups.get((current[ad_id], nid), 0) + 1
        moved = {a: nid for a, nid in moved.items() if groups[(current[a], nid)] < sizes.get(current[a], 0)}
        if not moved:
            shutil.rmtree(target, ignore_errors=True)
            return {"ads_moved": 0, "networks_replaced": 0}
        replaced = sorted({current[a] for a in moved})
        tmp = root / f"{OVERLAY_DIR}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        con.register("moved", pa.table({"ad_id": list(moved), "new_id": list(moved.values())}))
        con.register("replaced", pa.table({"network_id": replaced}))
        pq.write_table(pa.table({"network_id": pa.array(replaced, pa.string())}), tmp / "replaced.parquet")
        for name in ("ads", "entities", "indicators"):
            src = f"read_parquet({_q(root / f'{name}.parquet')})"
            con.execute(
                f"COPY (SELECT t.* REPLACE (coalesce(m.new_id, t.network_id) AS network_id) FROM {src} t "
                "LEFT JOIN moved m ON t.ad_id = m.ad_id WHERE t.network_id IN (SELECT network_id FROM replaced) "
                f"ORDER BY network_id, ad_id) TO {_q(tmp / f'{name}.parquet')} (FORMAT parquet, COMPRESSION zstd)"
            )
        _overlay_links(con, root, tmp)
        _overlay_networks(con, root, tmp, risk_weights)
    finally:
        con.close()
    old = root / f"{OVERLAY_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return {"ads_moved": len(moved), "networks_replaced": len(replaced)}


def _overlay_links(con, root: Path, tmp: Path) -> None:
    from threadline.engines.online.evidence import LINKS_SCHEMA

    links = root / "links.parquet"
    if not links.exists():
        pq.write_table(LINKS_SCHEMA.empty_table(), tmp / "links.parquet")
        return
    ads = f"read_parquet({_q(tmp / 'ads.parquet')})"
    # identifier links are stars (each ad to the first ad with the value): when a correction takes the centre
    # away, the ads left behind are linked again to one of them that still carries the value
    con.execute(
        f"""COPY (
        WITH l AS (
          SELECT l.ad_id, l.other_ad_id, l.kind, l.value, a.network_id AS na, b.network_id AS nb
          FROM read_parquet({_q(links)}) l JOIN {ads} a ON l.ad_id = a.ad_id JOIN {ads} b ON l.other_ad_id = b.ad_id
          WHERE l.network_id IN (SELECT network_id FROM replaced)),
        members AS (
          SELECT na AS network_id, kind, value, ad_id FROM l WHERE kind <> 'text'
          UNION SELECT nb, kind, value, other_ad_id FROM l WHERE kind <> 'text'),
        centre AS (SELECT network_id, kind, value, min(ad_id) AS c FROM members GROUP BY ALL HAVING count(*) > 1),
        restar AS (
          SELECT DISTINCT m.ad_id, c.c AS other_ad_id, m.kind, m.value, m.network_id
          FROM (SELECT na AS network_id, kind, value, ad_id FROM l WHERE na <> nb AND kind <> 'text'
                UNION SELECT nb, kind, value, other_ad_id FROM l WHERE na <> nb AND kind <> 'text') m
          JOIN centre c USING (network_id, kind, value) WHERE m.ad_id <> c.c)
        SELECT ad_id, other_ad_id, kind, value, na AS network_id FROM l WHERE na = nb
        UNION SELECT ad_id, other_ad_id, kind, value, network_id FROM restar
        ORDER BY network_id, ad_id, kind, other_ad_id
        ) TO {_q(tmp / "links.parquet")} (FORMAT parquet, COMPRESSION zstd)"""
    )


def _overlay_networks(con, root: Path, tmp: Path, risk_weights: str | None) -> None:
    """The replaced networks' rows computed again, with the scanned file's schema."""
    from threadline.engines.online.evidence import EVIDENCE_KINDS, add_network_evidence
    from threadline.engines.online.finalize import network_table
    from threadline.engines.online.lexicon import load_risk_weights
    from threadline.engines.online.risk import score_networks

    if risk_weights is None:
        try:
            risk_weights = json.loads((root / "scan.json").read_text())["options"].get("risk_weights")
        except (OSError, ValueError, KeyError, AttributeError):
            risk_weights = None
    tbl = network_table(tmp / "ads.parquet", 2)
    kinds = [EVIDENCE_KINDS[k] for k in sorted(EVIDENCE_KINDS)]
    counts = ", ".join(f"count(*) FILTER (WHERE kind = '{k}')::BIGINT AS links_{k}" for k in kinds)
    evidence = con.sql(
        f"SELECT network_id, {counts} FROM read_parquet({_q(tmp / 'links.parquet')}) GROUP BY 1"
    ).to_arrow_table()
    tbl = score_networks(add_network_evidence(tbl, evidence), load_risk_weights(risk_weights))
    schema = pq.read_schema(root / "networks.parquet")
    tbl = tbl.select(schema.names).cast(schema)
    tbl = tbl.sort_by([("risk_score", "descending"), ("n_ads", "descending"), ("network_id", "ascending")])
    pq.write_table(tbl, tmp / "networks.parquet", compression="zstd")
