import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online.minhash import batch_word_hashes
from threadline.engines.online.tokens import WordIndex, word_hash

# folded text: lower-case ASCII words, digits, underscore, punctuation, non-ASCII letters and symbols, emoji
ALPHABET = st.sampled_from([*list("ab to_1 2 ,.:/-@'"), "é", "д", "€", "•", "🌹", "²", "\n"])
NEEDLES = [b"a", b"b", b"ab", b"to", b"1", b"a_b", b"to2"]


def _expected(text: str, word: str) -> list[int]:
    # a whole word in the sense of the regular expression \w (Unicode letters, digits and underscore)
    return [m.start() for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_positions_are_whole_word_occurrences(text):
    idx = WordIndex(text)
    for w in NEEDLES:
        assert idx.positions([w]) == _expected(text, w.decode()), (text, w)
    assert idx.present(NEEDLES) == {w for w in NEEDLES if _expected(text, w.decode())}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(ALPHABET, max_size=30).map("".join), min_size=1, max_size=6))
def test_documents_and_spans(docs):
    text = "\x02".join(docs)
    idx = WordIndex(text, "\x02", len(docs))
    assert idx.lens.sum() == len(idx) and len(idx.lens) == len(docs)
    for s, e, d, h in zip(idx.starts.tolist(), idx.ends.tolist(), idx.doc.tolist(), idx.hashes.tolist(), strict=True):
        word = text[s:e]
        assert re.fullmatch(r"[a-z0-9_]+", word)
        assert word_hash(word.encode()) == h
        assert text[:s].count("\x02") == d


def test_word_hashes_agree_with_minhash_on_ascii_text():
    text = "new in town\x02call me at 5 pm\x02\x02x_y 42"
    idx = WordIndex(text, "\x02", 4)
    hashes, lens = batch_word_hashes(text.encode(), 2, 4)
    assert np.array_equal(idx.hashes, hashes) and np.array_equal(idx.lens, lens)


def test_by_word_groups_occurrences():
    idx = WordIndex("to be or not to be")
    got = {w: idx.starts[ix].tolist() for w, ix in idx.by_word([b"to", b"be", b"xyz"])}
    assert got == {b"to": [0, 13], b"be": [3, 16]}
    assert not idx.has_any([b"xyz"]) and idx.has_any([b"or"])


def test_long_words_hash_like_short_ones():
    long_word = "ab" * 150  # longer than the 64 position multipliers
    text = f"x {long_word} {long_word[:64]} {long_word[:65]} y"
    idx = WordIndex(text)
    assert [word_hash(text[s:e].encode()) for s, e in zip(idx.starts, idx.ends, strict=True)] == idx.hashes.tolist()
    assert idx.positions([long_word.encode()]) == [2]


def _all_words_lookup(idx: WordIndex, hashes: np.ndarray) -> tuple[list[int], list[int]]:
    """The lookup's definition: every word of the index, sorted stably by hash (no bucket restriction)."""
    needle, words = [], []
    for k, h in enumerate(hashes.tolist()):
        for w in np.flatnonzero(idx.hashes == np.uint64(h)).tolist():
            s, e = int(idx.starts[w]), int(idx.ends[w])
            t = idx.text
            if (s > 0 and (t[s - 1].isalnum() or t[s - 1] == "_")) or (e < len(t) and (t[e].isalnum() or t[e] == "_")):
                continue
            needle.append(k)
            words.append(w)
    return needle, words


WORDS = [b"a", b"b", b"ab", b"to", b"1", b"a_b", b"to2", b"zz", b"call", b"me", b"x9"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(ALPHABET, max_size=40).map("".join), min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(0, 2), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)), max_size=8),
)
def test_lookups_in_any_order_find_every_occurrence(texts, lookups):
    # the sorted words of an index are restricted to the buckets known when it first sorts; needles in buckets
    # added later (by this index or another one) must still be found
    indexes = [WordIndex(t) for t in texts]
    for which, words in lookups:
        idx = indexes[which % len(indexes)]
        hashes = np.array([word_hash(w) for w in dict.fromkeys(words)], dtype=np.uint64)
        needle, found = idx.lookup_hashes(hashes)
        assert (needle.tolist(), found.tolist()) == _all_words_lookup(idx, hashes)


def test_a_needle_first_asked_of_another_index_is_found():
    fresh = b"fresh" + str(np.random.default_rng().integers(1 << 60)).encode()  # a bucket new to this process
    a = WordIndex(f"call me {fresh.decode()}")
    assert a.positions([b"me"]) == [5]  # a sorts the words of the buckets known now: not fresh's
    assert WordIndex("qqq").positions([fresh]) == []  # another index adds fresh's bucket
    assert a.positions([fresh]) == [8]  # a must still find it


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=12))
def test_span_hashes_agree_with_word_hash_at_any_length(words):
    from threadline.engines.online.tokens import span_hashes

    buf = np.frombuffer(b"".join(words), dtype=np.uint8)
    lens = np.array([len(w) for w in words], dtype=np.int64)
    ends = np.cumsum(lens)
    assert span_hashes(buf, ends - lens, ends).tolist() == [word_hash(w) for w in words]
