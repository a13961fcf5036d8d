"""Vectorised MinHash over word shingles and LSH band keys (numpy, no per-ad Python loops except hashing words)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import xxhash

from threadline.engines.online.tokens import span_hashes

NUM_PERM = 64
BANDS = 16
SHINGLE = 3
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261129)
_A = (_rng.integers(1, 2**63 - 1, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)).astype(np.uint64)
_B = _rng.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.uint64).astype(np.uint64)
_A32 = ((_A >> np.uint64(32)).astype(np.uint32)) | np.uint32(1)
_B32 = (_B >> np.uint64(32)).astype(np.uint32)
_C1 = np.uint64(0x9E3779B97F4A7C15)
_C2 = np.uint64(0xC2B2AE3D27D4EB4F)
_C3 = np.uint64(0x165667B19E3779F9)
_EMPTY = np.uint32(0xFFFFFFFF)
_h = xxhash.xxh3_64_intdigest


def word_hashes(words: list[bytes]) -> list[int]:
    return [_h(w) for w in words]


def shingle_hashes(flat_words: list[int], lens: list[int], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of word k-grams for each document: (flat uint64 array, offsets of length n_docs + 1).

    ``flat_words`` holds the word hashes of all documents one after another, ``lens`` their counts. A document
    with fewer than k words contributes one shingle made of all its words (none when it is empty).
    """
    ln = np.asarray(lens, dtype=np.int64)
    flat = flat_words if isinstance(flat_words, np.ndarray) else np.asarray(flat_words, dtype=np.uint64)
    n = len(flat)
    nd = len(ln)
    n_sh = np.where(ln >= k, ln - (k - 1), np.minimum(ln, 1))
    offsets = np.zeros(nd + 1, dtype=np.int64)
    np.cumsum(n_sh, out=offsets[1:])
    if n >= k:
        doc = np.repeat(np.arange(nd, dtype=np.int32), ln)
        with np.errstate(over="ignore"):
            sh = flat[: n - k + 1] * _C1
            sh ^= flat[1 : n - k + 2] * _C2
            if k >= 3:
                sh ^= flat[2 : n - k + 3] * _C3
        valid = doc[: n - k + 1] == doc[k - 1 :]
        full = sh[valid]
    else:
        full = np.zeros(0, dtype=np.uint64)
    short = np.nonzero((ln > 0) & (ln < k))[0]
    if len(short) == 0:
        return full, offsets
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    is_full = np.repeat(ln >= k, n_sh)
    out[is_full] = full
    starts = np.zeros(nd + 1, dtype=np.int64)
    np.cumsum(ln, out=starts[1:])
    with np.errstate(over="ignore"):
        for d in short:
            v = np.uint64(0)
            for j in range(int(starts[d]), int(starts[d + 1])):
                v = v ^ (flat[j] * (_C1 + np.uint64(j - starts[d])))
            out[offsets[d]] = v
    return out, offsets


def signatures(sh: np.ndarray, offsets: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures (n_docs, num_perm) uint32; empty documents get all 0xFFFFFFFF.

    Each permutation is the bijection ``x -> (x XOR b_k) * a_k mod 2**32`` (``a_k`` odd) of the 32 high bits of
    the shingle hash: cheap in numpy and good enough because shingle hashes are already well mixed.
    """
    return signatures32((sh >> np.uint64(32)).astype(np.uint32), offsets, num_perm)


SIG_BLOCK = 1 << 16  # shingles per block of whole documents (256 KB of uint32: stays in the CPU cache)


def signatures32(s32: np.ndarray, offsets: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """:func:`signatures` from the 32 high bits of the shingle hashes (the form kept for linking).

    The documents are taken in blocks of about :data:`SIG_BLOCK` shingles and each block goes through every
    permutation while it is in the cache (one pass over the whole array per permutation was memory-bound);
    each document's minimum is the same, whichever block it is in.
    """
    n_docs = len(offsets) - 1
    sig = np.full((n_docs, num_perm), _EMPTY, dtype=np.uint32)
    if len(s32) == 0:
        return sig
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    idx = offsets[:-1][nonempty]  # first shingle of each non-empty document (its last: before the next one's)
    cuts = np.append(np.unique(np.searchsorted(idx, np.arange(0, len(s32), SIG_BLOCK))), len(idx)).tolist()
    for ja, jb in pairwise(cuts):
        if ja == jb:
            continue
        lo = int(idx[ja])
        hi = int(idx[jb]) if jb < len(idx) else len(s32)
        block = s32[lo:hi]
        starts = idx[ja:jb] - lo
        hv = np.empty(hi - lo, dtype=np.uint32)
        out = np.empty((num_perm, jb - ja), dtype=np.uint32)
        for k in range(num_perm):
            np.bitwise_xor(block, _B32[k], out=hv)
            np.multiply(hv, _A32[k], out=hv)
            np.minimum.reduceat(hv, starts, out=out[k])
        sig[nonempty[ja:jb]] = out.T
    return sig


def band_keys(sig: np.ndarray, bands: int = BANDS) -> np.ndarray:
    """One uint64 key per (document, band); documents without shingles get key 0 (never bucketed)."""
    n, k = sig.shape
    r = k // bands
    s = sig.astype(np.uint64)
    keys = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for b in range(bands):
            v = np.full(n, np.uint64(b + 1) * _C3, dtype=np.uint64)
            for j in range(r):
                v = (v ^ s[:, b * r + j]) * _C1
                v ^= v >> np.uint64(29)
            keys[:, b] = v | np.uint64(1)
    empty = sig[:, 0] == _EMPTY
    keys[empty] = 0
    return keys


_WORD_BYTES = np.zeros(256, dtype=bool)
for _c in list(range(48, 58)) + list(range(97, 123)) + list(range(128, 256)) + [95]:
    _WORD_BYTES[_c] = True


def words_of(folded_bytes: bytes) -> list[str]:
    """The words of one folded text as :func:`batch_word_hashes` cuts them (to show a shingle to a person)."""
    buf = np.frombuffer(folded_bytes, dtype=np.uint8)
    isw = _WORD_BYTES[buf]
    edges = np.diff(isw.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [folded_bytes[a:b].decode("utf-8", "replace") for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def batch_word_hashes(folded_bytes: bytes, sep_byte: int, n_docs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of every document in one UTF-8 buffer whose documents are separated by ``sep_byte``.

    Words are runs of letters, digits, underscore and non-ASCII bytes (unlike in :mod:`tokens`, non-ASCII bytes
    count as letters here, so that text in any script has shingles). A word's hash is the sum of (byte + 1)
    times a random odd multiplier per position (mod 2**64), computed for all words at once. Returns (flat
    hashes in order, word count per document).
    """
    buf = np.frombuffer(folded_bytes, dtype=np.uint8)
    if n_docs is None:
        n_docs = int((buf == sep_byte).sum()) + 1
    if n_docs == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    isw = _WORD_BYTES[buf]
    if not isw.any():
        return np.zeros(0, dtype=np.uint64), np.zeros(n_docs, dtype=np.int64)
    edges = np.diff(isw.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    word_starts = np.flatnonzero(edges == 1)
    hashes = span_hashes(buf, word_starts, np.flatnonzero(edges == -1))
    seps = np.flatnonzero(buf == sep_byte)
    doc = np.searchsorted(seps, word_starts, side="right")
    lens = np.bincount(doc, minlength=n_docs).astype(np.int64)
    return hashes, lens
