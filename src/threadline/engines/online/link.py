"""Stage 2: link ads into networks.

Edges come from shared identifier keys (phone, email, handle, image hash) and from near-duplicate text
(MinHash LSH candidates, verified by the similarity of the full signatures). Groups of ads sharing a key or an
LSH bucket become *star* edges (every member to the first one), so the number of edges stays linear. Connected
components are computed with scipy's sparse graph routines.

Hubs: an identifier shared by ads that otherwise belong to several different groups (a site's own phone, a
booking agency's shared email) is reported and not used to link, so it cannot glue networks together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass
class LinkOptions:
    text_threshold: float = 0.5  # minimum estimated Jaccard similarity of word 3-gram sets
    hub_min_ads: int = 10  # identifiers on fewer ads are never hubs
    hub_min_groups: int = 10  # ... hubs join at least this many groups that have identifiers of their own
    max_bucket: int = 2000  # LSH buckets larger than this are boilerplate, not evidence


@dataclass
class LinkResult:
    labels: np.ndarray  # component label per ad (int64)
    hubs: list[dict]
    n_id_edges: int
    n_text_candidates: int
    n_text_edges: int


def _star_edges(keys: np.ndarray, rows: np.ndarray, max_group: int | None = None):
    """Edges (first member, member) for every group of equal keys; returns (src, dst, group_sizes_info)."""
    if len(keys) == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    if len(rows) < 2 or bool((rows[1:] >= rows[:-1]).all()):
        order = np.argsort(keys, kind="stable")  # rows already ascending: same order as the lexsort, faster
    else:
        order = np.lexsort((rows, keys))
    k = keys[order]
    r = rows[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = k[1:] != k[:-1]
    gid = np.cumsum(new) - 1
    first_idx = np.nonzero(new)[0]
    first = r[first_idx][gid]
    keep = ~new
    if max_group is not None:
        sizes = np.diff(np.append(first_idx, len(k)))
        keep &= sizes[gid] <= max_group
    src = first[keep]
    dst = r[keep]
    m = src != dst
    return src[m], dst[m]


def _components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(g, directed=False)
    return labels.astype(np.int64)


def text_edges(bands: np.ndarray, sig: np.ndarray, threshold: float, max_bucket: int, chunk: int = 2_000_000):
    """Candidate pairs from LSH buckets (star per bucket and band), verified on the full signature."""
    n, nb = bands.shape
    rows = np.arange(n, dtype=np.int64)
    pair = np.zeros(0, dtype=np.int64)
    for b in range(nb):
        col = bands[:, b]
        valid = col != 0
        s, d = _star_edges(col[valid], rows[valid], max_bucket)
        if len(s):
            lo = np.minimum(s, d)
            hi = np.maximum(s, d)
            # deduplicate as we go, so memory follows the number of distinct pairs, not pairs x bands
            pair = _merge_unique(pair, np.sort(lo * np.int64(n) + hi))
    if len(pair) == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e, 0
    lo = pair // n
    hi = pair % n
    n_cand = len(pair)
    keep = np.zeros(len(pair), dtype=bool)
    for i in range(0, len(pair), chunk):
        a = sig[lo[i : i + chunk]]
        c = sig[hi[i : i + chunk]]
        keep[i : i + chunk] = (a == c).sum(axis=1) >= threshold * sig.shape[1]
    return lo[keep], hi[keep], n_cand


def _merge_unique(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct values of two sorted arrays (a stable sort of two sorted runs is a linear merge)."""
    m = np.concatenate([a, b])
    m.sort(kind="stable")
    if len(m) < 2:
        return m
    keep = np.empty(len(m), dtype=bool)
    keep[0] = True
    np.not_equal(m[1:], m[:-1], out=keep[1:])
    return m[keep]


class _DSU:
    def __init__(self) -> None:
        self.p: dict[int, int] = {}

    def find(self, x: int) -> int:
        p = self.p
        root = x
        while p.get(root, root) != root:
            root = p[root]
        while p.get(x, x) != root:
            p[x], x = root, p[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[ra] = rb


def link(n: int, key_rows: np.ndarray, keys: np.ndarray, key_kinds: np.ndarray, bands: np.ndarray,
         sig: np.ndarray, opts: LinkOptions) -> LinkResult:  # fmt: skip
    """Label every ad (0..n-1) with its network component.

    Hub test for an identifier k shared by d >= ``hub_min_ads`` ads: group its ads using only their *other*
    evidence (other identifiers, except ones nearly as common as k itself, and near-duplicate text); count the
    groups that carry an identifier of their own. With ``hub_min_groups`` or more such groups, k joins
    otherwise separate operations (a site's help line, a shared booking service) and is reported as a hub.
    """
    if len(keys):
        kr_rows = key_rows.astype(np.int64)
        order = np.lexsort((kr_rows, keys))
        ks, rs = keys[order], kr_rows[order]
        first = np.ones(len(ks), dtype=bool)
        first[1:] = (ks[1:] != ks[:-1]) | (rs[1:] != rs[:-1])
        keys_u = ks[first]
        rows_u = rs[first]
    else:
        keys_u = keys.astype(np.uint64)
        rows_u = key_rows.astype(np.int64)
    ts, td, n_cand = text_edges(bands, sig, opts.text_threshold, opts.max_bucket)
    text_label = _components(n, ts, td)

    uk, inv, deg = np.unique(keys_u, return_inverse=True, return_counts=True)
    deg_of_entry = deg[inv]
    cand_keys = uk[deg >= opts.hub_min_ads]
    hubs: list[dict] = []
    hub_keys: list[int] = []
    if len(cand_keys):
        row_order = np.argsort(rows_u, kind="stable")
        rows_sorted = rows_u[row_order]
        keys_by_row = keys_u[row_order]
        deg_by_row = deg_of_entry[row_order]
        key_order = np.argsort(keys_u, kind="stable")
        ks = keys_u[key_order]
        rs = rows_u[key_order]
        lo_k = np.searchsorted(ks, cand_keys, "left")
        hi_k = np.searchsorted(ks, cand_keys, "right")
        for key, a, b in zip(cand_keys.tolist(), lo_k.tolist(), hi_k.tolist(), strict=True):
            members = rs[a:b]
            d = len(members)
            ignore_deg = max(opts.hub_min_ads, d // 2)
            dsu = _DSU()
            own: set[int] = set()
            lo = np.searchsorted(rows_sorted, members, "left")
            hi = np.searchsorted(rows_sorted, members, "right")
            n_other = set()
            for m, x, y in zip(members.tolist(), lo.tolist(), hi.tolist(), strict=True):
                dsu.find(m)
                dsu.union(m, -1 - int(text_label[m]) - 2**40)
                for ok, od in zip(keys_by_row[x:y].tolist(), deg_by_row[x:y].tolist(), strict=True):
                    if ok == key or od >= ignore_deg:
                        continue
                    n_other.add(ok)
                    node = -(ok % (2**39)) - 1
                    dsu.union(m, node)
                    own.add(m)
            groups = {dsu.find(m) for m in own}
            if len(groups) >= opts.hub_min_groups:
                hub_keys.append(key)
                hubs.append({"key": key, "n_ads": d, "n_groups": len(groups), "n_other_identifiers": len(n_other),
                             "example_row": int(members[0])})  # fmt: skip
    is_hub = np.isin(keys_u, np.asarray(hub_keys, dtype=np.uint64))
    s1, d1 = _star_edges(keys_u[~is_hub], rows_u[~is_hub])
    labels = _components(n, np.concatenate([s1, ts]), np.concatenate([d1, td]))
    return LinkResult(labels, hubs, len(s1), int(n_cand), len(ts))


def stable_ids(labels: np.ndarray, id_hash: np.ndarray) -> np.ndarray:
    """Network id per ad: ``N`` + hex of the smallest ad-id hash in its component (same ads -> same id)."""
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    mins = np.full(n_comp, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(mins, labels, id_hash)
    names = np.array([f"N{int(x):016x}" for x in mins], dtype=object)
    return names[labels]
