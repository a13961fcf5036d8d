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

from dataclasses import dataclass

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


def _bucket_counts(sh: np.ndarray) -> np.ndarray:
    """Occurrences per bucket of the hash space, counted a chunk at a time (no full-length int64 temporary)."""
    counts = np.zeros(1 << PREFILTER_BITS, dtype=np.int64)
    shift = np.uint32(32 - PREFILTER_BITS)
    for i in range(0, len(sh), CHUNK):
        counts += np.bincount(sh[i : i + CHUNK] >> shift, minlength=1 << PREFILTER_BITS)
    return counts


def _in_full_buckets(sh: np.ndarray, counts: np.ndarray, min_count: int) -> np.ndarray:
    out = np.empty(len(sh), dtype=bool)
    shift = np.uint32(32 - PREFILTER_BITS)
    full = counts >= min_count
    for i in range(0, len(sh), CHUNK):
        out[i : i + CHUNK] = full[sh[i : i + CHUNK] >> shift]
    return out


def learn(shingles: np.ndarray, offsets: np.ndarray, groups: np.ndarray, min_groups: int,
          active: np.ndarray | None = None) -> Boilerplate:  # fmt: skip
    """Shingles used by ``min_groups`` or more identifier groups (``groups``: one label per ad).

    ``active`` (bool per ad) leaves ads out of the counts (duplicates of an earlier id).
    """
    doc = _doc_of(offsets)
    sh = shingles
    if active is not None and not active.all():
        m = active[doc]
        sh, doc = sh[m], doc[m]
    empty = Boilerplate(np.zeros(0, np.uint32), np.zeros(0, np.int64), np.zeros(0, np.int64),
                        np.zeros(0, np.int64), min_groups, 0)  # fmt: skip
    if len(sh) == 0:
        return empty
    # occurrences per bucket bound the number of groups from above: only shingles in full buckets are counted
    cand = _in_full_buckets(sh, _bucket_counts(sh), min_groups)
    sh, doc = sh[cand], doc[cand]
    del cand
    if len(sh) == 0:
        return empty
    # distinct (shingle, ad) in one sort, the ads numbered by group (rank: rows ordered by group label), so that
    # within a shingle the ads of one group are adjacent: its groups are the runs of equal labels
    wide = len(offsets) > 2**31
    by_group = np.argsort(groups, kind="stable").astype(np.int64 if wide else np.int32)
    rank = np.empty_like(by_group)
    rank[by_group] = np.arange(len(by_group), dtype=by_group.dtype)
    sd = (sh.astype(np.uint64) << np.uint64(32)) | rank[doc].astype(np.uint64)
    del sh, doc
    sd.sort()
    sd = distinct_of_sorted(sd)
    s_of = (sd >> np.uint64(32)).astype(np.uint32)
    d_of = by_group[(sd & np.uint64(0xFFFFFFFF)).astype(np.int64 if wide else np.int32)]
    del sd, rank
    new_s = np.ones(len(s_of), dtype=bool)
    new_s[1:] = s_of[1:] != s_of[:-1]
    starts = np.flatnonzero(new_s)
    n_ads = np.diff(np.append(starts, len(s_of)))
    u = s_of[starts]
    first_row = np.minimum.reduceat(d_of, starts)  # the lowest row of each shingle
    g_of = groups[d_of]
    new_g = new_s
    new_g[1:] |= g_of[1:] != g_of[:-1]
    n_groups = np.add.reduceat(new_g.astype(np.int64), starts)
    del g_of, new_g, new_s
    is_bp = n_groups >= min_groups
    bp = u[is_bp]
    touched = np.zeros(len(offsets) - 1, dtype=bool)
    touched[d_of[np.repeat(is_bp, n_ads)]] = True
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


def in_sorted_hashes(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """:func:`in_sorted` for uint32 hashes through a table of the set's first member in each bucket of the hash
    space (gathers in a small table instead of a binary search for every value; buckets with several members,
    rare, still take the binary search)."""
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    shift = np.uint32(32 - MEMBER_BITS)
    edges = np.searchsorted(sorted_set >> shift, np.arange((1 << MEMBER_BITS) + 1, dtype=np.uint32))
    first = edges[:-1].astype(np.int32)
    count = np.diff(edges).astype(np.int32)
    vb = values >> shift
    c = count[vb]
    out = sorted_set[np.minimum(first[vb], len(sorted_set) - 1)] == values
    out &= c > 0
    several = np.flatnonzero(c > 1)
    out[several] = in_sorted(values[several], sorted_set)
    return out


def distinctive_signatures(shingles: np.ndarray, offsets: np.ndarray, bp: Boilerplate, min_shingles: int,
                           bands: int = minhash.BANDS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """MinHash signatures (low 16 bits, as stored) and LSH band keys over each ad's non-boilerplate shingles.

    An ad left with fewer than ``min_shingles`` distinctive shingles gets no band keys: it is never linked by
    text (a short ad made of common phrases says nothing about its author). Returns (sig, bands, n_distinct).
    """
    n = len(offsets) - 1
    keep = np.empty(len(shingles), dtype=bool)
    for i in range(0, len(shingles), CHUNK):  # in_sorted's index temporaries stay chunk-sized
        keep[i : i + CHUNK] = ~in_sorted_hashes(shingles[i : i + CHUNK], bp.shingles)
    kept = shingles[keep]
    per_doc = np.bincount(_doc_of(offsets)[keep], minlength=n).astype(np.int64)
    del keep
    new_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_doc, out=new_off[1:])
    sig = minhash.signatures32(kept, new_off)
    keys = minhash.band_keys(sig, bands)
    keys[per_doc < min_shingles] = 0
    return (sig & 0xFFFF).astype(np.uint16), keys, per_doc


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
    # each shingle's bytes in one slice, with every byte between words made a space (UTF-8 sequences are word
    # bytes, so no character is cut), then the runs of spaces collapsed
    spaced = np.where(isw, raw, np.uint8(32)).tobytes()
    out: dict[int, str] = {}
    for h, a, b in zip(found.tolist(), starts[w0].tolist(), ends[w0 + nw - 1].tolist(), strict=True):
        out[h] = " ".join(w for w in spaced[a:b].decode("utf-8", "replace").split(" ") if w)
    return out
