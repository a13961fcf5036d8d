"""What holds each network together, and what was set aside as boilerplate (workspace files for the analyst).

- ``links.parquet``: one row per link kept by :func:`.link.link` (``ad_id``, ``other_ad_id``, ``kind``: phone,
  email, handle, image or text; ``value``: the shared identifier, empty for text; ``network_id``). Identifier
  links are stars (each ad to the first ad with the same identifier), text links are stars around the centre
  of a text cluster, so every ad of a multi-ad network has at least one row that says why it is there.
- ``boilerplate.parquet``: one row per word 3-gram learned as boilerplate (``shingle`` as folded words,
  ``n_ads``, ``n_groups``: identifier groups using it, ``example_ad_id``), the threshold in the file's
  metadata and in ``scan.json``.
- per network, the number of links of each kind (``links_phone`` ... ``links_text``) for ``networks.parquet``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from threadline.engines.online.analyse import KIND_NAMES, LINK_KINDS, link_key
from threadline.engines.online.boilerplate import Boilerplate, shingle_texts
from threadline.engines.online.link import TEXT, LinkResult
from threadline.engines.online.normalize import fold

EVIDENCE_KINDS = {TEXT: "text", **KIND_NAMES}
EVIDENCE_COLUMNS = [f"links_{EVIDENCE_KINDS[k]}" for k in sorted(EVIDENCE_KINDS)]
LINKS_SCHEMA = pa.schema([("ad_id", pa.string()), ("other_ad_id", pa.string()), ("kind", pa.string()),
                          ("value", pa.string()), ("network_id", pa.string())])  # fmt: skip
BOILERPLATE_SCHEMA = pa.schema([("shingle", pa.string()), ("n_ads", pa.int64()), ("n_groups", pa.int64()),
                                ("example_ad_id", pa.string())])  # fmt: skip


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=20_000)  # sorted: a network page skips groups
    os.replace(tmp, path)


def _ad_ids_by_row(out: Path, keep: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Ad ids of ``ads.parquet`` (one array) and, per input row, its position there (duplicates of an earlier id
    map to that id's kept row: never used)."""
    ids = pq.read_table(out / "ads.parquet", columns=["ad_id"])["ad_id"]
    ids = pa.concat_arrays(ids.chunks) if ids.num_chunks else pa.array([], pa.string())
    pos = np.cumsum(keep) - 1
    np.maximum(pos, 0, out=pos)
    return ids, pos


def _identifier_values(out: Path, wanted: np.ndarray) -> dict[int, str]:
    """Identifier key -> its normalised value, for the keys that carry links (from ``entities.parquet``)."""
    want = set(wanted.tolist())
    ent = pq.read_table(out / "entities.parquet", columns=["kind", "value"])
    # each identifier once (an ad's phone is repeated in every ad that shows it): hash the distinct pairs only
    ent = ent.filter(pc.and_(pc.is_in(ent["kind"], value_set=pa.array(sorted(LINK_KINDS))), pc.is_valid(ent["value"])))
    ent = ent.group_by(["kind", "value"], use_threads=False).aggregate([])
    found: dict[int, str] = {}
    for kind, value in zip(ent["kind"].to_pylist(), ent["value"].to_pylist(), strict=True):
        if kind in LINK_KINDS and value is not None:
            k = link_key(kind, value)
            if k in want and k not in found:
                found[k] = value
    return found


def write_links(out: Path, lr: LinkResult, keep: np.ndarray, network_ids: np.ndarray) -> None:
    src, dst, kind, key = lr.edge_src, lr.edge_dst, lr.edge_kind, lr.edge_key
    ids, pos = _ad_ids_by_row(out, keep)
    is_text = kind == TEXT
    uk = np.unique(key[~is_text])
    values = _identifier_values(out, uk)
    kinds = pa.array([EVIDENCE_KINDS[k] for k in range(5)], pa.string())
    # every column is a take from an Arrow array (no Python object per edge); a text link has no value (null)
    vidx = np.minimum(np.searchsorted(uk, key), max(len(uk) - 1, 0))
    value_of = pa.array([values.get(k) for k in uk.tolist()], pa.string())
    nids = pa.array(network_ids, pa.string()) if len(network_ids) else pa.array([], pa.string())
    # each ad's own row: the member (dst) is the ad that the link explains, src the ad it is linked to
    table = pa.table({
        "ad_id": ids.take(pos[dst]) if len(dst) else pa.array([], pa.string()),
        "other_ad_id": ids.take(pos[src]) if len(src) else pa.array([], pa.string()),
        "kind": kinds.take(kind.astype(np.int64)),
        "value": value_of.take(pa.array(vidx, mask=is_text)) if len(uk) else pa.nulls(len(kind), pa.string()),
        "network_id": nids.take(dst) if len(dst) else pa.array([], pa.string()),
    }, schema=LINKS_SCHEMA).sort_by([("network_id", "ascending"), ("ad_id", "ascending")])  # fmt: skip
    _atomic_parquet(table, out / "links.parquet")


def network_evidence(lr: LinkResult, network_ids: np.ndarray) -> pa.Table:
    """``network_id`` and the number of links of each kind that hold it together (networks with links only)."""
    labels = lr.labels
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    lab = labels[lr.edge_src] if len(lr.edge_src) else np.zeros(0, dtype=np.int64)
    counts = {k: np.bincount(lab[lr.edge_kind == k], minlength=n_comp) for k in sorted(EVIDENCE_KINDS)}
    name_of = np.empty(n_comp, dtype=object)
    name_of[labels] = network_ids
    linked = np.flatnonzero(sum(counts.values())) if n_comp else np.zeros(0, dtype=np.int64)
    cols = {"network_id": pa.array(name_of[linked].tolist(), pa.string())}
    for k in sorted(EVIDENCE_KINDS):
        cols[f"links_{EVIDENCE_KINDS[k]}"] = pa.array(counts[k][linked], pa.int64())
    return pa.table(cols)


def add_network_evidence(tbl: pa.Table, evidence: pa.Table) -> pa.Table:
    """``tbl`` (one row per network) with the link counts (0 for a network of one ad)."""
    idx = pc.index_in(tbl["network_id"], value_set=evidence["network_id"])
    for c in EVIDENCE_COLUMNS:
        tbl = tbl.append_column(c, pc.take(evidence[c], idx).fill_null(0))
    return tbl


def _rows_of(path: Path, columns: list[str], rows: list[int]) -> pa.Table:
    """The given rows (ascending) of a Parquet file, read one row group at a time: only the row groups that hold
    some of them, and never the whole columns at once (the texts of every ad would be large)."""
    pf = pq.ParquetFile(path)
    ends = np.cumsum([pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)])
    want = np.asarray(rows, dtype=np.int64)
    which = np.searchsorted(ends, want, "right")
    parts = []
    for g in np.unique(which).tolist():
        first = int(ends[g - 1]) if g else 0
        parts.append(pf.read_row_group(g, columns=columns).take(want[which == g] - first))
    if not parts:
        return pf.schema_arrow.empty_table().select(columns)
    return pa.concat_tables(parts)


def write_boilerplate(out: Path, bp: Boilerplate, keep: np.ndarray, min_groups: int) -> None:
    """``boilerplate.parquet``: each shingle as words (from its first ad's folded text), most used first."""
    pos = np.cumsum(keep) - 1
    order = np.lexsort((bp.shingles, -bp.n_groups))
    ex_rows = pos[bp.example_row[order]] if len(order) else np.zeros(0, dtype=np.int64)
    by_row: dict[int, set[int]] = {}
    for r, h in zip(ex_rows.tolist(), bp.shingles[order].tolist(), strict=True):
        by_row.setdefault(r, set()).add(h)
    rows = sorted(by_row)
    texts = _rows_of(out / "ads.parquet", ["title", "body"], rows).to_pylist()
    words = shingle_texts([fold((t["title"] or "") + "\n" + (t["body"] or "")) for t in texts],
                          [by_row[r] for r in rows])  # fmt: skip
    ids = pq.read_table(out / "ads.parquet", columns=["ad_id"])["ad_id"]
    table = pa.table({
        "shingle": pa.array([words.get(h) for h in bp.shingles[order].tolist()], pa.string()),
        "n_ads": pa.array(bp.n_ads[order], pa.int64()), "n_groups": pa.array(bp.n_groups[order], pa.int64()),
        "example_ad_id": ids.take(ex_rows) if len(ids) else pa.array([], pa.string()),
    }, schema=BOILERPLATE_SCHEMA.with_metadata({"min_groups": str(min_groups)}))  # fmt: skip
    _atomic_parquet(table, out / "boilerplate.parquet")
