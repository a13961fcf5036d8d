"""Boilerplate: text that many unrelated posters share is not evidence of a common author.

Real ad sites are full of it: site rules pasted under every ad, a site-suggested opening, blurbs copied from
ad to ad by people who have nothing else in common, an agency's booking line in the ads of its workers. Two
ads that share only such text must not be linked, and a chain of such links must not build a "network".

What counts as boilerplate is learned from the corpus itself. Posters are approximated by *identifier groups*
(ads joined by shared phones, e-mails, handles or images, hubs excluded; an ad without identifiers is its own
group). A word 3-gram (shingle) used by at least ``min_groups`` different groups is boilerplate: one author
reusing a template stays within one group however many ads they post, so their template stays evidence,
while a sentence pasted by many independent posters is set aside. Text links are then made on the remaining,
distinctive shingles only (MinHash signatures recomputed without the boilerplate).

All steps are numpy sorts and counts over 32-bit shingle hashes (the bits the MinHash permutations use), so the
result is deterministic and memory follows the number of shingle occurrences (4 bytes each).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from threadline.engines.online import minhash

# occurrence counts per bucket of the hash space: a cheap upper bound of each group count (22 bits: a 32 MB count
# table; 24 bits filtered hardly more on the v2 corpus and took four times as long, in cache misses)
PREFILTER_BITS = 22


@dataclass
class Boilerplate:
    shingles: np.ndarray  # sorted uint32 shingle hashes learned as boilerplate
    n_ads: np.ndarray  # per shingle: ads that contain it
    n_groups: np.ndarray  # per shingle: identifier groups that use it
    example_row: np.ndarray  # per shingle: the first ad (row) that contains it
    min_groups: int
    n_ads_touched: int  # ads with at least one boilerplate shingle

    def __len__(self) -> int:
        return len(self.shingles)


def distinct_of_sorted(a: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (first of each run)."""
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _sorted_distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a run test: faster than np.unique's hash table on tens of millions)."""
    return distinct_of_sorted(np.sort(a))


def _doc_of(offsets: np.ndarray) -> np.ndarray:
    """The ad (row) of every shingle; int32 while the rows fit (half the memory of int64 at tens of millions)."""
    n = len(offsets) - 1
    dtype = np.int32 if n < 2**31 else np.int64
    return np.repeat(np.arange(n, dtype=dtype), np.diff(offsets))


CHUNK = 8_000_000  # shingles per step where a full-length temporary would be needed


def _doc_chunks(offsets: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Ranges of whole ads [d0, d1) of about ``size`` shingles each (an ad longer than that is a range alone)."""
    n = len(offsets) - 1
    total = int(offsets[-1]) if n else 0
    cuts = np.searchsorted(offsets, np.arange(0, total, max(1, size)), "right") - 1
    bounds = np.unique(np.concatenate([[0], np.clip(cuts, 0, n), [n]])).tolist()
    return [(a, b) for a, b in pairwise(bounds) if b > a]


def _bucket_counts(shingles: np.ndarray, offsets: np.ndarray, chunks: list, active: np.ndarray | None) -> np.ndarray:
    """Occurrences per bucket of the hash space (active ads only), counted a chunk at a time."""
    counts = np.zeros(1 << PREFILTER_BITS, dtype=np.int64)
    shift = np.uint32(32 - PREFILTER_BITS)
    for d0, d1 in chunks:
        sh = shingles[offsets[d0] : offsets[d1]]
        if active is not None:
            sh = sh[np.repeat(active[d0:d1], np.diff(offsets[d0 : d1 + 1]))]
        counts += np.bincount(sh >> shift, minlength=1 << PREFILTER_BITS)
    return counts


def learn(shingles: np.ndarray, offsets: np.ndarray, groups: np.ndarray, min_groups: int,
          active: np.ndarray | None = None) -> Boilerplate:  # fmt: skip
    """Shingles used by ``min_groups`` or more identifier groups (``groups``: one label per ad).

    ``active`` (bool per ad) leaves ads out of the counts (duplicates of an earlier id). Every full-length array
    is built a slice of ads at a time (memory: about 8 bytes per shingle occurrence at the peak, the sort keys).
    """
    n = len(offsets) - 1
    empty = Boilerplate(np.zeros(0, np.uint32), np.zeros(0, np.int64), np.zeros(0, np.int64),
                        np.zeros(0, np.int64), min_groups, 0)  # fmt: skip
    if active is not None and active.all():
        active = None
    chunks = _doc_chunks(offsets, CHUNK)
    if n == 0 or int(offsets[-1]) == 0:
        return empty
    # occurrences per bucket bound the number of groups from above: only shingles in full buckets are counted
    counts = _bucket_counts(shingles, offsets, chunks, active)
    full = counts >= min_groups
    # the ads numbered by group (rank: rows ordered by group label), so that within a shingle the ads of one group
    # are adjacent once (shingle, rank) pairs are sorted: its groups are the runs of equal labels
    wide = n > 2**31 - 2
    idt = np.int64 if wide else np.int32
    by_group = np.argsort(groups, kind="stable").astype(idt)
    rank = np.empty(n, dtype=np.uint64)
    rank[by_group] = np.arange(n, dtype=np.uint64)
    # the keys (shingle << 32 | rank), written slice by slice into one buffer (never the full-length temporaries
    # of a whole-array expression); pages past the last key written are never touched
    # Two parts, shingles below 2**31 first: each is sorted by its own thread, and one after the other they are the
    # whole sorted. The bucket counts give the exact size of the first part.
    k = int(counts[full].sum())
    k_lo = int(counts[: 1 << (PREFILTER_BITS - 1)][full[: 1 << (PREFILTER_BITS - 1)]].sum())
    del counts
    if k == 0:
        return empty
    sd = np.empty(k, dtype=np.uint64)
    shift = np.uint32(32 - PREFILTER_BITS)
    at = [0, k_lo]  # where the next keys of each part go
    for d0, d1 in chunks:
        sh = shingles[offsets[d0] : offsets[d1]]
        m = full[sh >> shift]
        if active is not None:
            m &= np.repeat(active[d0:d1], np.diff(offsets[d0 : d1 + 1]))
        r_all = np.repeat(rank[d0:d1], np.diff(offsets[d0 : d1 + 1]))
        high = sh >= np.uint32(1 << 31)
        for part, sel in enumerate((m & ~high, m & high)):
            r = r_all[sel]
            out = sd[at[part] : at[part] + len(r)]
            np.left_shift(sh[sel], np.uint64(32), out=out, dtype=np.uint64)  # cast in the loop, no copy
            out |= r
            at[part] += len(r)
        del sh, m, r_all, high, sel, r, out
    del full, rank
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(np.ndarray.sort, sd[:k_lo]), pool.submit(np.ndarray.sort, sd[k_lo:])]:
            f.result()
    # the distinct pairs, split into shingle and row a slice at a time (no uint64 copy of the distinct keys)
    keep = np.empty(k, dtype=bool)
    keep[0] = True
    np.not_equal(sd[1:], sd[:-1], out=keep[1:])
    m_total = int(np.count_nonzero(keep))
    s_of = np.empty(m_total, dtype=np.uint32)
    r_of = np.empty(m_total, dtype=idt)
    j = 0
    for i in range(0, k, CHUNK):
        part = sd[i : i + CHUNK][keep[i : i + CHUNK]]
        s_of[j : j + len(part)] = part >> np.uint64(32)
        r_of[j : j + len(part)] = part & np.uint64(0xFFFFFFFF)
        j += len(part)
    del sd, keep, part
    new_s = np.ones(m_total, dtype=bool)
    np.not_equal(s_of[1:], s_of[:-1], out=new_s[1:])
    starts = np.flatnonzero(new_s)
    n_ads = np.diff(np.append(starts, m_total))
    u = s_of[starts]
    del s_of
    # a new group starts where the group label changes between neighbouring ranks of the same shingle: labels
    # compared through a dense number of each rank's group (groups[by_group] is sorted)
    gs = groups[by_group]
    dense = np.zeros(n, dtype=idt)
    np.cumsum(gs[1:] != gs[:-1], out=dense[1:])
    del gs
    new_g = new_s
    for i in range(1, m_total, CHUNK):
        a = dense[r_of[i - 1 : i + CHUNK]]
        new_g[i : i + CHUNK] |= a[1:] != a[:-1]
    del dense
    n_groups = np.add.reduceat(new_g, starts, dtype=np.int64)
    del new_g
    for i in range(0, m_total, CHUNK):  # rank -> row, in place
        r_of[i : i + CHUNK] = by_group[r_of[i : i + CHUNK]]
    d_of = r_of
    first_row = np.minimum.reduceat(d_of, starts)  # the lowest row of each shingle
    is_bp = n_groups >= min_groups
    bp = u[is_bp]
    touched = np.zeros(n, dtype=bool)
    bp_run = np.repeat(is_bp, n_ads)
    touched[d_of[bp_run]] = True
    return Boilerplate(bp, n_ads[is_bp], n_groups[is_bp], first_row[is_bp].astype(np.int64), min_groups,
                       int(touched.sum()))  # fmt: skip


def in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Membership in a sorted array by binary search (np.isin would sort both arrays)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    i = np.searchsorted(sorted_set, values)
    np.minimum(i, len(sorted_set) - 1, out=i)
    return sorted_set[i] == values


MEMBER_BITS = 20  # buckets of the 32-bit hash space marked in a 1 MB table before the binary search


class SortedHashes:
    """Membership in a sorted array of uint32 hashes through a table of the set's first member in each bucket of
    the hash space (gathers in a small table instead of a binary search for every value; buckets with several
    members, rare, still take the binary search). The table is built once for many tests."""

    def __init__(self, sorted_set: np.ndarray) -> None:
        self.set = sorted_set
        self.shift = np.uint32(32 - MEMBER_BITS)
        if len(sorted_set):
            edges = np.searchsorted(sorted_set >> self.shift, np.arange((1 << MEMBER_BITS) + 1, dtype=np.uint32))
            self.first = edges[:-1].astype(np.int32)
            self.count = np.diff(edges).astype(np.int32)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        sorted_set = self.set
        if not len(sorted_set) or not len(values):
            return np.zeros(len(values), dtype=bool)
        vb = values >> self.shift
        c = self.count[vb]
        out = sorted_set[np.minimum(self.first[vb], len(sorted_set) - 1)] == values
        out &= c > 0
        several = np.flatnonzero(c > 1)
        out[several] = in_sorted(values[several], sorted_set)
        return out


SIG_CHUNK = 2_000_000  # shingles per slice of ads in the distinctive signatures (their temporaries stay small)


def distinctive_signatures(shingles: np.ndarray, offsets: np.ndarray, bp: Boilerplate, min_shingles: int,
                           bands: int = minhash.BANDS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """MinHash signatures (low 16 bits, as stored) and LSH band keys over each ad's non-boilerplate shingles.

    An ad left with fewer than ``min_shingles`` distinctive shingles gets no band keys: it is never linked by
    text (a short ad made of common phrases says nothing about its author). Returns (sig, bands, n_distinct).
    Computed a slice of ads at a time (an ad's signature depends on its own shingles only), so the 32-bit
    signatures and the 64-bit temporaries of the band keys exist for one slice, not for every ad.
    """
    n = len(offsets) - 1
    sig = np.empty((n, minhash.NUM_PERM), dtype=np.uint16)
    keys = np.empty((n, bands), dtype=np.uint64)
    per_doc = np.empty(n, dtype=np.int64)
    is_bp = SortedHashes(bp.shingles)

    def one(d0: int, d1: int) -> None:
        o0, o1 = int(offsets[d0]), int(offsets[d1])
        sh = shingles[o0:o1]
        keep = ~is_bp(sh)
        kept = sh[keep]
        # distinctive shingles per ad: differences of the running count at the ads' boundaries
        run = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(keep, out=run[1:])
        new_off = run[offsets[d0 : d1 + 1] - o0]
        new_off -= new_off[0]
        pd = np.diff(new_off)
        s32 = minhash.signatures32(kept, new_off)
        kb = minhash.band_keys(s32, bands)
        kb[pd < min_shingles] = 0
        keys[d0:d1] = kb
        s32 &= np.uint32(0xFFFF)
        sig[d0:d1] = s32
        per_doc[d0:d1] = pd

    # the slices are independent and numpy releases the GIL in its loops: two threads share them
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(one, d0, d1) for d0, d1 in _doc_chunks(offsets, SIG_CHUNK)]:
            f.result()
    return sig, keys, per_doc


def shingle_texts(texts: list[str], wanted: list[set[int]]) -> dict[int, str]:
    """The words of the wanted shingles (32-bit hashes) of each folded text, found in one pass over all texts
    (the same word cutting and hashing as linking), for the analyst's listing. A shingle wanted by several texts
    takes its words from the first one that has it; only the words shown are decoded."""
    if not texts:
        return {}
    buf = "\x02".join(texts).encode("utf-8", "surrogatepass")
    hashes, lens = minhash.batch_word_hashes(buf, 2, len(texts))
    sh, offsets = minhash.shingle_hashes(hashes, lens.tolist())
    s32 = (sh >> np.uint64(32)).astype(np.uint32)
    # wanted (text, shingle) pairs, sorted, and every shingle occurrence tested against them
    w_doc = np.repeat(np.arange(len(wanted), dtype=np.uint64), [len(w) for w in wanted])
    w_sh = np.fromiter((h for w in wanted for h in w), dtype=np.uint64, count=len(w_doc))
    pairs = np.sort((w_doc << np.uint64(32)) | w_sh)
    doc = _doc_of(offsets)
    hit = np.flatnonzero(in_sorted((doc.astype(np.uint64) << np.uint64(32)) | s32.astype(np.uint64), pairs))
    if not len(hit):
        return {}
    found, first = np.unique(s32[hit], return_index=True)  # first occurrence in (text, position) order
    j = hit[first]
    d = doc[j]
    first_word = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lens, out=first_word[1:])
    k = minhash.SHINGLE
    short = lens[d] < k
    w0 = np.where(short, first_word[d], first_word[d] + (j - offsets[d]))
    nw = np.where(short, lens[d], k)
    raw = np.frombuffer(buf, dtype=np.uint8)
    isw = minhash._WORD_BYTES[raw]
    edges = np.diff(isw.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    # each shingle's bytes in one slice, with every run of bytes between words made one space (UTF-8 sequences are
    # word bytes, so no character is cut; a slice starts and ends with a word, so no space at either end)
    kept = isw.copy()
    kept[1:] |= isw[:-1]
    spaced = np.where(isw, raw, np.uint8(32))[kept].tobytes()
    at = np.cumsum(kept) - 1  # position of each kept byte in ``spaced``
    a_pos = at[starts[w0]].tolist()
    b_pos = (at[ends[w0 + nw - 1] - 1] + 1).tolist()
    return {h: spaced[a:b].decode("utf-8", "replace") for h, a, b in zip(found.tolist(), a_pos, b_pos, strict=True)}
