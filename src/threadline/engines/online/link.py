"""Stage 2: link ads into networks.

Edges come from shared identifier keys (phone, email, handle, image hash) and from near-duplicate
*distinctive* text. Groups of ads sharing a key become *star* edges (every member to the first one), so the
number of edges stays linear. Connected components are computed with scipy's sparse graph routines.

1. Identifier groups: components over the identifier keys, without the keys that a first hub test (on
   identifiers alone) finds joining many separate groups.
2. Boilerplate (:mod:`.boilerplate`): shingles used by many identifier groups are set aside; MinHash and LSH
   run on what is left, and verified pairs become text edges.
3. Text clusters without chaining (:func:`text_clusters`): every text cluster is a star around a centre ad that
   each member is itself similar to, so A~B~C~D never joins A and D through text alone.
4. Hubs: an identifier whose ads otherwise belong to many different groups (identifiers and text clusters; a
   site's help line, an agency's booking number) is reported and not used to link.
5. Networks: components over the identifier edges without hubs and the star edges of the text clusters. Every
   edge kept is recorded with its kind, so each network says which evidence holds it together.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from threadline.engines.online.boilerplate import (
    Boilerplate,
    distinct_of_sorted,
    distinctive_signatures,
    in_sorted,
    learn,
)


@dataclass
class LinkOptions:
    text_threshold: float = 0.5  # minimum estimated Jaccard similarity of distinctive word 3-gram sets
    hub_min_ads: int = 10  # identifiers on fewer ads are never hubs
    hub_min_groups: int = 10  # ... hubs join at least this many groups that have identifiers of their own
    max_bucket: int = 2000  # LSH buckets larger than this are boilerplate, not evidence
    boilerplate_min_groups: int = 5  # a shingle used by this many identifier groups is boilerplate
    min_distinctive: int = 3  # ads with fewer distinctive shingles get no distinctive LSH keys
    max_text_rounds: int = 30  # rounds of centre picking; ads still unassigned after them stay apart
    bands: int = 16  # LSH bands over the 64 distinctive MinHash values (64 // bands rows each)
    text_support: float = 0.05  # whole texts similar: they must still share this much distinctive text
    # small shared numbers (a small agency or booking service): an identifier on fewer ads is still a hub when it
    # joins at least this many groups that share no text and each carry identifiers of their own (0: off) ...
    small_hub_min_groups: int = 3
    small_hub_ads_per_group: float = 4.0  # ... and those groups are small (a worker's few ads, not a network)


TEXT = 0  # edge kind of a text link (identifier kinds are analyse.LINK_KINDS: 1 phone ... 4 image)


@dataclass
class LinkResult:
    labels: np.ndarray  # component label per ad (int64)
    hubs: list[dict]
    n_id_edges: int
    n_text_candidates: int
    n_text_edges: int
    boilerplate: Boilerplate | None = None
    edge_src: np.ndarray | None = None  # every edge kept: rows, kind (TEXT or a LINK_KINDS value), identifier key
    edge_dst: np.ndarray | None = None
    edge_kind: np.ndarray | None = None
    edge_key: np.ndarray | None = None


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


def candidate_pairs(bands: np.ndarray, max_bucket: int, pair: np.ndarray | None = None) -> np.ndarray:
    """Sorted distinct ``lo * n + hi`` of the pairs that share an LSH bucket (a star per bucket and band)."""
    n, nb = bands.shape
    rows = np.arange(n, dtype=np.int64)
    pair = np.zeros(0, dtype=np.int64) if pair is None else pair
    for b in range(nb):
        col = bands[:, b]
        valid = col != 0
        s, d = _star_edges(col[valid], rows[valid], max_bucket)
        if len(s):
            lo = np.minimum(s, d)
            hi = np.maximum(s, d)
            # deduplicate as we go, so memory follows the number of distinct pairs, not pairs x bands
            pair = merge_unique(pair, np.sort(lo * np.int64(n) + hi))
    return pair


class TextSimilarity:
    """Whether two ads share enough distinctive text to be linked.

    Either their distinctive shingles (boilerplate set aside) are similar (>= ``threshold``), or their whole
    texts are (>= ``threshold``) *and* they still share some distinctive text (>= ``support``): two ads whose
    whole texts match only through boilerplate share no distinctive shingle and are never linked.
    """

    def __init__(self, sig_all: np.ndarray, sig_distinctive: np.ndarray, threshold: float, support: float):
        self.sig_all = sig_all
        self.sig_dist = sig_distinctive
        self.need = threshold * sig_all.shape[1]
        self.need_support = support * sig_all.shape[1]

    def __call__(self, a: np.ndarray, b: np.ndarray, chunk: int = 500_000) -> np.ndarray:
        out = np.zeros(len(a), dtype=bool)
        for i in range(0, len(a), chunk):
            x, y = a[i : i + chunk], b[i : i + chunk]
            md = (self.sig_dist[x] == self.sig_dist[y]).sum(axis=1)
            res = md >= self.need
            # whole texts are compared only where the distinctive test failed but some support is there
            rest = np.flatnonzero(~res & (md >= self.need_support))
            mf = (self.sig_all[x[rest]] == self.sig_all[y[rest]]).sum(axis=1)
            res[rest] = mf >= self.need
            out[i : i + chunk] = res
        return out


def merge_unique(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct values of two sorted arrays (a stable sort of two sorted runs is a linear merge)."""
    m = np.concatenate([a, b])
    m.sort(kind="stable")
    return distinct_of_sorted(m)


def _dedupe_keys(key_rows: np.ndarray, keys: np.ndarray, key_kinds: np.ndarray):
    """One entry per (key, ad), sorted by key then ad."""
    if not len(keys):
        return keys.astype(np.uint64), key_rows.astype(np.int64), key_kinds.astype(np.int8)
    kr_rows = key_rows.astype(np.int64)
    order = np.lexsort((kr_rows, keys))
    ks, rs, kk = keys[order], kr_rows[order], key_kinds[order]
    first = np.ones(len(ks), dtype=bool)
    first[1:] = (ks[1:] != ks[:-1]) | (rs[1:] != rs[:-1])
    return ks[first], rs[first], kk[first]


def find_hubs(keys_u: np.ndarray, rows_u: np.ndarray, text_label: np.ndarray, opts: LinkOptions,
              small: bool = False) -> list[dict]:  # fmt: skip
    """Hub test for every identifier k shared by d >= ``hub_min_ads`` ads.

    Group k's ads using only their *other* evidence (other identifiers, except ones nearly as common as k itself,
    and ``text_label``: ads with the same label are together); count the groups that carry an identifier of
    their own. With ``hub_min_groups`` or more such groups, k joins otherwise separate operations (a site's help
    line, an agency's booking number) and is a hub.

    With ``small`` (once the text clusters are known), an identifier on fewer ads is a hub too when it joins
    ``small_hub_min_groups`` or more such groups and they are small (at most ``small_hub_ads_per_group`` ads with
    an identifier of their own per group): the phone of a small agency or booking service that appears beside
    each worker's own contact, where the workers' ads share no distinctive text. A network's own numbers do not
    pass: its ads share their template text (one text cluster, so one group) or their other contacts.
    """
    # keys_u is sorted (``_dedupe_keys``): the degree of a key is the length of its run
    new = np.ones(len(keys_u), dtype=bool)
    new[1:] = keys_u[1:] != keys_u[:-1]
    starts = np.flatnonzero(new)
    deg = np.diff(np.append(starts, len(keys_u)))
    kidx = np.cumsum(new) - 1  # dense index of each entry's key
    small = small and opts.small_hub_min_groups > 0
    min_ads = min(opts.hub_min_ads, opts.small_hub_min_groups) if small else opts.hub_min_ads
    cand = np.flatnonzero(deg >= min_ads)  # dense indices of the candidate keys, ascending
    if not len(cand):
        return []
    groups, own, n_other = _hub_groups(cand, starts, deg, kidx, rows_u, text_label, opts.hub_min_ads)
    d = deg[cand]
    big = (d >= opts.hub_min_ads) & (groups >= opts.hub_min_groups)
    if small:
        big |= (groups >= opts.small_hub_min_groups) & (own <= opts.small_hub_ads_per_group * groups)
    uk = keys_u[starts]
    hits = zip(cand[big].tolist(), groups[big].tolist(), n_other[big].tolist(), strict=True)
    return [{"key": int(uk[c]), "n_ads": int(deg[c]), "n_groups": int(g), "n_other_identifiers": int(o),
             "example_row": int(rows_u[starts[c]])} for c, g, o in hits]  # fmt: skip


def _ragged(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All positions of the ranges [lo, hi) one after another, and the range each belongs to."""
    ln = hi - lo
    which = np.repeat(np.arange(len(lo), dtype=np.int64), ln)
    first = np.zeros(len(lo) + 1, dtype=np.int64)
    np.cumsum(ln, out=first[1:])
    pos = np.arange(int(first[-1]), dtype=np.int64) - first[which] + lo[which]
    return pos, which


def _hub_groups(cand: np.ndarray, starts: np.ndarray, deg: np.ndarray, kidx: np.ndarray, rows_u: np.ndarray,
                text_label: np.ndarray, hub_min_ads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """For every candidate key c (all at once): the groups its members form through their other evidence.

    A member stands for its text label (members with the same label are together); it joins each of its other
    keys whose degree is below ``max(hub_min_ads, d_c // 2)``. Per candidate: the number of groups (components of
    that bipartite graph of labels and other keys), of members with such a key (``own``) and of such keys.
    """
    nc = len(cand)
    # entries (candidate, member)
    m_pos, m_c = _ragged(starts[cand], starts[cand] + deg[cand])
    members = rows_u[m_pos]
    # each member's keys: entries of rows_u sorted by row
    row_order = np.argsort(rows_u, kind="stable")
    rows_sorted = rows_u[row_order]
    lo = np.searchsorted(rows_sorted, members, "left")
    hi = np.searchsorted(rows_sorted, members, "right")
    o_pos, o_m = _ragged(lo, hi)
    ok = kidx[row_order[o_pos]]  # dense index of the other key
    c_of = m_c[o_m]  # candidate index (0..nc-1)
    ignore = np.maximum(hub_min_ads, deg[cand] // 2)
    keep = (ok != cand[c_of]) & (deg[ok] < ignore[c_of])
    ok, c_of, o_m = ok[keep], c_of[keep], o_m[keep]
    z = np.zeros(nc, dtype=np.int64)
    if not len(ok):
        return z, z.copy(), z.copy()
    # own members and other keys per candidate: distinct (candidate, x) pairs
    own = np.bincount(c_of[_first_of_pairs(c_of, o_m)], minlength=nc)
    n_other = np.bincount(c_of[_first_of_pairs(c_of, ok)], minlength=nc)
    # nodes: (candidate, label) and (candidate, other key); edges between them; components over all candidates
    lab = text_label[members[o_m]].astype(np.int64)
    a = c_of.astype(np.int64) * 2 * (len(text_label) + len(deg) + 1)
    u = a + 2 * lab
    v = a + 2 * ok.astype(np.int64) + 1
    nodes, inv = np.unique(np.concatenate([u, v]), return_inverse=True)
    e = len(u)
    comp = _components(len(nodes), inv[:e], inv[e:])
    node_c = nodes // (2 * (len(text_label) + len(deg) + 1))
    first_of_comp = np.unique(comp, return_index=True)[1]
    groups = np.bincount(node_c[first_of_comp], minlength=nc)
    return groups, own, n_other


def _first_of_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Indices of the distinct (a, b) pairs (one each); both non-negative."""
    span = int(b.max()) + 1 if len(b) else 1
    return np.unique(a.astype(np.int64) * span + b.astype(np.int64), return_index=True)[1]


def _without(keys_u: np.ndarray, hubs: list[dict]) -> np.ndarray:
    return ~in_sorted(keys_u, np.sort(np.asarray([h["key"] for h in hubs], dtype=np.uint64)))


def text_clusters(n: int, src: np.ndarray, dst: np.ndarray, similar: TextSimilarity, max_rounds: int) -> np.ndarray:
    """Centre of each ad's text cluster (the ad itself when it has none), without transitive chaining.

    In each round, among the ads not yet assigned, every connected component of the verified text edges picks
    as centre its ad with the most edges (ties: the lowest row); every ad of the component that is itself
    ``similar`` to the centre joins it. The others wait for the next round, where
    they form components of their own. So a cluster is a star: each member is similar to its centre, and a
    chain of pairwise similar ads is cut where the similarity to the centre fades.
    """
    centre = np.arange(n, dtype=np.int64)
    free = np.ones(n, dtype=bool)
    for _ in range(max_rounds):
        m = free[src] & free[dst]
        s, d = src[m], dst[m]
        if not len(s):
            break
        comp = _components(n, s, d)
        deg = np.bincount(s, minlength=n) + np.bincount(d, minlength=n)
        nodes = np.flatnonzero(deg > 0)
        order = np.lexsort((nodes, -deg[nodes], comp[nodes]))
        ordered = nodes[order]
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = comp[ordered[1:]] != comp[ordered[:-1]]
        c_of_comp = np.full(n, -1, dtype=np.int64)
        c_of_comp[comp[ordered[first]]] = ordered[first]
        c = c_of_comp[comp[nodes]]
        ok = similar(nodes, c)
        joined = nodes[ok]
        centre[joined] = c[ok]
        free[joined] = False
    return centre


def link(n: int, key_rows: np.ndarray, keys: np.ndarray, key_kinds: np.ndarray, bands: np.ndarray,
         sig: np.ndarray, shingles: np.ndarray, sh_offsets: np.ndarray, opts: LinkOptions,
         active: np.ndarray | None = None) -> LinkResult:  # fmt: skip
    """Label every ad (0..n-1) with its network component (see the module docstring for the steps).

    ``bands``/``sig``: LSH band keys and MinHash signatures of each ad's whole text; ``shingles``/``sh_offsets``:
    its 32-bit word 3-gram hashes, ads one after another (all from ``analyse.BatchResult``). ``active`` (bool
    per ad): ads that take part in text linking (False for duplicate ids).
    """
    keys_u, rows_u, kinds_u = _dedupe_keys(key_rows, keys, key_kinds)
    # 1. identifier groups, without the keys that identifiers alone already show to be hubs
    pre_hubs = find_hubs(keys_u, rows_u, np.arange(n, dtype=np.int64), opts)
    ok = _without(keys_u, pre_hubs)
    s0, d0 = _star_edges(keys_u[ok], rows_u[ok])
    id_groups = _components(n, s0, d0)
    # 2. boilerplate, then MinHash/LSH on the distinctive shingles. The whole-text candidates do not depend on
    # the boilerplate: a thread finds them meanwhile (numpy's sorts release the GIL, so a second core helps)
    if active is not None and active.all():
        active = None  # no duplicates: no masked copy of the band keys
    if active is not None:
        bands = np.where(active[:, None], bands, np.uint64(0))
    with ThreadPoolExecutor(max_workers=2) as pool:
        whole_text = pool.submit(candidate_pairs, bands, opts.max_bucket)
        bp = learn(shingles, sh_offsets, id_groups, opts.boilerplate_min_groups, active)
        sig_d, bands_d, _ = distinctive_signatures(shingles, sh_offsets, bp, opts.min_distinctive, opts.bands)
        if active is not None:
            bands_d[~active] = 0
        # the distinctive bands in two halves, one of them by the thread (done with the whole texts by now)
        half = bands_d.shape[1] // 2
        other = pool.submit(candidate_pairs, bands_d[:, half:], opts.max_bucket)
        pair = merge_unique(candidate_pairs(bands_d[:, :half], opts.max_bucket), whole_text.result())
        pair = merge_unique(pair, other.result())
    similar = TextSimilarity(sig, sig_d, opts.text_threshold, opts.text_support)
    lo, hi = pair // max(n, 1), pair % max(n, 1)
    ok = similar(lo, hi)
    ts, td, n_cand = lo[ok], hi[ok], len(pair)
    del pair, lo, hi
    # 3. text clusters as stars around a centre
    centre = text_clusters(n, ts, td, similar, opts.max_text_rounds)
    # 4. hubs, with the text clusters as other evidence
    hubs = find_hubs(keys_u, rows_u, centre, opts, small=True)
    ok = _without(keys_u, hubs)
    s1, d1, k1, kind1 = _star_edges_keyed(keys_u[ok], rows_u[ok], kinds_u[ok])
    rows = np.arange(n, dtype=np.int64)
    member = centre != rows
    s2, d2 = centre[member], rows[member]
    # 5. networks
    src = np.concatenate([s1, s2])
    dst = np.concatenate([d1, d2])
    labels = _components(n, src, dst)
    kind = np.concatenate([kind1.astype(np.int8), np.full(len(s2), TEXT, dtype=np.int8)])
    key = np.concatenate([k1, np.zeros(len(s2), dtype=np.uint64)])
    return LinkResult(labels, hubs, len(s1), int(n_cand), len(s2), bp, src, dst, kind, key)


def _star_edges_keyed(keys: np.ndarray, rows: np.ndarray, kinds: np.ndarray):
    """:func:`_star_edges` for entries sorted by (key, row), also returning each edge's key and kind."""
    if not len(keys):
        e = np.zeros(0, dtype=np.int64)
        return e, e, np.zeros(0, np.uint64), np.zeros(0, np.int8)
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    gid = np.cumsum(new) - 1
    first = rows[np.flatnonzero(new)][gid]
    keep = ~new & (first != rows)
    return first[keep], rows[keep], keys[keep], kinds[keep]


def stable_ids(labels: np.ndarray, id_hash: np.ndarray) -> np.ndarray:
    """Network id per ad: ``N`` + hex of the smallest ad-id hash in its component (same ads -> same id)."""
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    mins = np.full(n_comp, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(mins, labels, id_hash)
    names = np.array([f"N{int(x):016x}" for x in mins], dtype=object)
    return names[labels]
