r"""Word index of a folded batch string: every word's hash, character span and document, computed in numpy.

The finders of :mod:`extract`, the lexicon matcher and the gazetteer ask the index where given words occur
("where are 'telegram', 'tg' and 'snap'?") instead of scanning the whole batch string once per word.

A word is a run of ASCII letters, digits and underscore (the needles looked up are such words). Where the
text is not pure ASCII, an occurrence next to a non-ASCII letter or digit is dropped, so that a found word is
a whole word in the sense of the regular expression ``\b``.

Hashes are 64-bit sums of (byte + 1) times a random odd multiplier per position, so a word's hash can be
computed alone (:func:`word_hash`) and looked up among the batch's hashes, which are sorted once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

MAX_POS = 64
_MASK = (1 << 64) - 1
_WORD_BYTES = np.zeros(256, dtype=bool)
for _c in list(range(48, 58)) + list(range(97, 123)) + [95]:
    _WORD_BYTES[_c] = True
POS_MULT = (np.random.default_rng(7).integers(1, 2**63 - 1, size=MAX_POS, dtype=np.uint64) | np.uint64(1)).astype(
    np.uint64
)
_POS_MULT_INT = [int(x) for x in POS_MULT]
_HASH_CACHE: dict[bytes, int] = {}
# Buckets (the top bits of the hash) of every word looked up so far in this process, each with the number of
# the lookup that added it. An index sorts only its words in the buckets known when it first sorts (a small
# part of a batch's words, since every batch asks for the same needles); a lookup of a word in a bucket added
# later adds the bucket if new and makes that index sort all its words instead.
VOCAB_SHIFT = np.uint64(64 - 18)
_VOCAB = np.zeros(1 << 18, dtype=np.int32)  # 0: no word looked up in the bucket yet
_VOCAB_ADDED = [0]


def word_hash(word: bytes) -> int:
    """The index's hash of one word (bytes of folded text)."""
    h = _HASH_CACHE.get(word)
    if h is None:
        m = _POS_MULT_INT
        h = sum((c + 1) * m[min(i, MAX_POS - 1)] for i, c in enumerate(word)) & _MASK
        if len(_HASH_CACHE) < 100_000:
            _HASH_CACHE[word] = h
    return h


def span_hashes(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash of every word ``buf[starts[i]:ends[i]]`` (as :func:`word_hash`), for all words at once.

    Words are sorted by length once (a radix sort); then position k of every word at least k + 1 bytes long is
    added in one vectorised step, so the work is one short numpy operation per byte position.
    """
    n = len(starts)
    out = np.zeros(n, dtype=np.uint64)
    if n == 0:
        return out
    lens = ends - starts
    order = np.argsort(np.minimum(lens, 65535).astype(np.uint16), kind="stable")[::-1]  # longest first
    s_sorted = starts[order]
    neg_len = -lens[order]  # ascending, so the words longer than k are a prefix
    acc = np.zeros(n, dtype=np.uint64)
    longest = int(-neg_len[0])
    with np.errstate(over="ignore"):
        for k in range(min(longest, MAX_POS)):
            m = int(np.searchsorted(neg_len, -k, side="left"))
            acc[:m] += (buf[s_sorted[:m] + k].astype(np.uint64) + np.uint64(1)) * POS_MULT[k]
        if longest > MAX_POS:  # the bytes beyond the last multiplier all take the last one (rare)
            m = int(np.searchsorted(neg_len, -MAX_POS, side="left"))
            for i in range(m):
                s0 = int(s_sorted[i])
                tail = buf[s0 + MAX_POS : s0 - int(neg_len[i])].astype(np.uint64) + np.uint64(1)
                acc[i] += tail.sum(dtype=np.uint64) * POS_MULT[MAX_POS - 1]
    out[order] = acc
    return out


class WordIndex:
    """Words of ``text`` (folded), with documents separated by the character ``sep`` (None: one document).

    Attributes (numpy arrays, one entry per word, in text order): ``hashes`` (uint64), ``starts`` and ``ends``
    (character offsets in ``text``), ``doc`` (document number). ``lens`` holds the word count per document.
    """

    __slots__ = (
        "_all",
        "_glued",
        "_known",
        "_order",
        "_sorted",
        "ascii",
        "doc",
        "ends",
        "hashes",
        "lens",
        "n_docs",
        "starts",
        "text",
    )

    def __init__(self, text: str, sep: str | None = None, n_docs: int | None = None):
        self.text = text
        raw = text.encode("utf-8", "surrogatepass")
        buf = np.frombuffer(raw, dtype=np.uint8)
        isw = _WORD_BYTES[buf]
        edges = np.diff(isw.view(np.int8), prepend=np.int8(0), append=np.int8(0))
        bstarts = np.flatnonzero(edges == 1)
        bends = np.flatnonzero(edges == -1)
        self.hashes = span_hashes(buf, bstarts, bends)
        self.ascii = len(raw) == len(text)
        self._glued: np.ndarray | None = None
        if self.ascii:
            self.starts, self.ends = bstarts, bends
        else:  # map byte offsets to character offsets: count the bytes that begin a character
            # words next to a non-ASCII byte may be glued to a non-ASCII letter or digit: checked on lookup
            hi = buf >= 0x80
            before = np.zeros(len(bstarts), dtype=bool)
            before[bstarts > 0] = hi[bstarts[bstarts > 0] - 1]
            after = np.zeros(len(bends), dtype=bool)
            after[bends < len(buf)] = hi[bends[bends < len(buf)]]
            self._glued = before | after
            cont = np.flatnonzero((buf & 0xC0) == 0x80)  # continuation bytes: a character offset is the byte
            self.starts = bstarts - np.searchsorted(cont, bstarts)  # offset minus the continuation bytes before
            self.ends = bends - np.searchsorted(cont, bends)
        if sep is None:
            self.n_docs = 1 if n_docs is None else n_docs
            self.doc = np.zeros(len(bstarts), dtype=np.int64)
        else:
            seps = np.flatnonzero(buf == ord(sep))
            self.n_docs = len(seps) + 1 if n_docs is None else n_docs
            self.doc = np.searchsorted(seps, bstarts, side="right")
        self.lens = np.bincount(self.doc, minlength=self.n_docs).astype(np.int64)
        self._order: np.ndarray | None = None
        self._sorted: np.ndarray | None = None
        self._all = False
        self._known = 0

    def __len__(self) -> int:
        return len(self.hashes)

    def _whole(self, ix: np.ndarray) -> np.ndarray:
        """Drop occurrences glued to a non-ASCII letter or digit (only possible in non-ASCII text)."""
        if self.ascii or not len(ix):
            return ix
        glued = self._glued[ix]
        if not glued.any():
            return ix
        check = ix[glued]
        t = self.text
        n = len(t)
        keep = [
            not ((s > 0 and (t[s - 1].isalnum() or t[s - 1] == "_")) or (e < n and (t[e].isalnum() or t[e] == "_")))
            for s, e in zip(self.starts[check].tolist(), self.ends[check].tolist(), strict=True)
        ]
        mask = ~glued
        mask[np.flatnonzero(glued)[np.asarray(keep, dtype=bool)]] = True
        return ix[mask]

    def _sorted_hashes(self, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(word numbers, their hashes) sorted by hash (stably), of at least every word that may be a needle."""
        added = _VOCAB[needles >> VOCAB_SHIFT]
        if self._order is None:
            self._known = _VOCAB_ADDED[0]
        if not ((added > 0) & (added <= self._known)).all():
            new = needles[added == 0] >> VOCAB_SHIFT
            if len(new):
                _VOCAB_ADDED[0] += 1
                _VOCAB[new] = _VOCAB_ADDED[0]
            if not self._all:  # the words of those buckets are not in this index's sorted words: take them all
                self._order = None
                self._all = True
        if self._order is None:
            if self._all:
                self._order = np.argsort(self.hashes, kind="stable")
            else:
                known = _VOCAB[self.hashes >> VOCAB_SHIFT]
                cand = np.flatnonzero((known > 0) & (known <= self._known))
                self._order = cand[np.argsort(self.hashes[cand], kind="stable")]
            self._sorted = self.hashes[self._order]
        return self._order, self._sorted

    def lookup_hashes(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Occurrences of words given by their hashes: (needle number, word number) arrays, in needle order."""
        order, srt = self._sorted_hashes(np.asarray(hashes, dtype=np.uint64))
        lo = np.searchsorted(srt, hashes, side="left")
        hi = np.searchsorted(srt, hashes, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        needle = np.repeat(np.arange(len(hashes)), counts)
        first = np.cumsum(counts) - counts
        pos = np.repeat(lo - first, counts) + np.arange(total)
        words = order[pos]
        keep = self._whole(words)
        if len(keep) != len(words):
            mask = np.isin(words, keep)
            needle, words = needle[mask], words[mask]
        return needle, words

    def _lookup(self, words: Iterable[bytes]) -> list[tuple[bytes, np.ndarray]]:
        ws = list(dict.fromkeys(words))
        if not ws:
            return []
        hs = np.fromiter((word_hash(w) for w in ws), dtype=np.uint64, count=len(ws))
        needle, found = self.lookup_hashes(hs)
        if not len(found):
            return []
        cuts = np.flatnonzero(np.diff(needle)) + 1
        return [(ws[int(g[0])], ix) for g, ix in zip(np.split(needle, cuts), np.split(found, cuts), strict=True)]

    def present(self, words: Iterable[bytes]) -> set[bytes]:
        """Which of ``words`` occur at least once."""
        return {w for w, _ in self._lookup(words)}

    def has_any(self, words: Iterable[bytes]) -> bool:
        return bool(self._lookup(words))

    def occurrences(self, words: Iterable[bytes]) -> np.ndarray:
        """Word numbers (sorted) of every occurrence of any of ``words``."""
        found = self._lookup(words)
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate([ix for _, ix in found]))

    def by_word(self, words: Iterable[bytes]) -> list[tuple[bytes, np.ndarray]]:
        """(word, sorted word numbers of its occurrences) for each of ``words`` that occurs."""
        return [(w, np.sort(ix)) for w, ix in self._lookup(words)]

    def positions(self, words: Iterable[bytes]) -> list[int]:
        """Character offsets (sorted) where any of ``words`` occurs as a whole word."""
        return self.starts[self.occurrences(words)].tolist()
