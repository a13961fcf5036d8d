"""Boilerplate-aware text linking: shared site text is not evidence, and text links do not chain."""

import numpy as np
import pytest

from threadline.engines.online.boilerplate import in_sorted, learn
from threadline.engines.online.link import TEXT, LinkOptions, link

from .text_arrays import link_arrays

SITE_TEXT = (
    "please read the site rules before you post all listings are checked by our moderators report any "
    "suspicious listing to the site team meet in public places and stay safe never send money in advance"
)
WORDS = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "haven", "inlet", "juniper", "kestrel",
         "lagoon", "meadow", "nectar", "orchid", "prairie", "quartz", "raven", "sierra", "tundra", "umber",
         "valley", "willow", "yarrow", "zephyr"]  # fmt: skip


def _own_words(i, k=4):
    rng = np.random.default_rng(i)
    return " ".join(f"{WORDS[j]}{i}" for j in rng.choice(len(WORDS), k, replace=False))


def _link(texts, key_pairs=(), **kw):
    rows = np.array([r for r, _ in key_pairs], dtype=np.int64)
    keys = np.array([k for _, k in key_pairs], dtype=np.uint64)
    return link(len(texts), rows, keys, np.ones(len(keys), np.int8), *link_arrays(texts), LinkOptions(**kw))


def test_posters_sharing_only_site_boilerplate_are_not_linked():
    # 12 independent posters, each with a phone of their own and a short text of their own under the site's rules
    texts = [f"{_own_words(i)} {SITE_TEXT}" for i in range(12)]
    res = _link(texts, [(i, 100 + i) for i in range(12)])
    assert len(set(res.labels.tolist())) == 12
    assert len(res.boilerplate) > 0  # the site's sentences were learned, and are in the result for the analyst


def test_one_author_reusing_a_template_keeps_the_text_link():
    # one author, one phone on some of the ads: the template is theirs, not boilerplate; ads without the
    # phone still join through the text
    template = " ".join(f"{w}x" for w in WORDS[:20])
    texts = [template] * 8 + [f"{_own_words(50 + i)} {SITE_TEXT}" for i in range(8)]
    res = _link(texts, [(0, 7), (1, 7), (2, 7)] + [(8 + i, 200 + i) for i in range(8)])
    assert len(set(res.labels[:8].tolist())) == 1
    assert len(set(res.labels[8:].tolist())) == 8
    assert (res.edge_kind == TEXT).any()


def test_text_links_do_not_chain():
    # a chain: each text shares most words with the next, the ends share none
    base = [f"{w}q" for w in WORDS]
    texts = [" ".join(base[i : i + 12]) for i in range(0, 13, 2)]  # 7 windows of 12 words, step 2
    res = _link(texts, text_threshold=0.5, boilerplate_min_groups=1000)
    # adjacent windows overlap a lot; the first and the last share nothing: they must not be one network
    assert res.labels[0] != res.labels[-1]


def test_learn_counts_identifier_groups_not_ads():
    # shingle 1: 30 ads of one group; shingle 2: one ad in each of 5 groups; shingle 3: 4 groups
    sh = [1] * 30 + [2] * 5 + [3] * 4
    offsets = np.arange(len(sh) + 1, dtype=np.int64)
    groups = np.array([0] * 30 + [1, 2, 3, 4, 5] + [1, 2, 3, 4], dtype=np.int64)
    bp = learn(np.array(sh, dtype=np.uint32), offsets, groups, min_groups=5)
    assert bp.shingles.tolist() == [2]
    assert bp.n_groups.tolist() == [5] and bp.n_ads.tolist() == [5]


def test_in_sorted_matches_isin():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 50, 200).astype(np.uint32)
    s = np.unique(rng.integers(0, 50, 20).astype(np.uint32))
    assert (in_sorted(a, s) == np.isin(a, s)).all()
    assert not in_sorted(a, s[:0]).any()


def _random_corpus(seed, n_ads=60):
    rng = np.random.default_rng(seed)
    lens = rng.integers(0, 12, n_ads)
    sh = rng.integers(0, 40, int(lens.sum())).astype(np.uint32) * np.uint32(97_000_000)  # few distinct, spread
    offsets = np.zeros(n_ads + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    groups = rng.integers(0, 15, n_ads).astype(np.int64)
    active = rng.random(n_ads) > 0.1
    return sh, offsets, groups, active


@pytest.mark.parametrize("seed", range(6))
def test_learn_and_distinctive_signatures_do_not_depend_on_the_slices(seed, monkeypatch):
    from threadline.engines.online import boilerplate

    sh, offsets, groups, active = _random_corpus(seed)
    whole = learn(sh, offsets, groups, 3, active)
    sig_w = boilerplate.distinctive_signatures(sh, offsets, whole, 2, 16)
    monkeypatch.setattr(boilerplate, "CHUNK", 7)  # slices of a few ads, and ads longer than a slice
    monkeypatch.setattr(boilerplate, "SIG_CHUNK", 5)
    sliced = learn(sh, offsets, groups, 3, active)
    for f in ("shingles", "n_ads", "n_groups", "example_row"):
        assert (getattr(whole, f) == getattr(sliced, f)).all()
    assert whole.n_ads_touched == sliced.n_ads_touched
    sig_s = boilerplate.distinctive_signatures(sh, offsets, sliced, 2, 16)
    for a, b in zip(sig_w, sig_s, strict=True):
        assert a.dtype == b.dtype and (a == b).all()


def test_learn_brute_force():
    sh, offsets, groups, active = _random_corpus(11, 200)
    bp = learn(sh, offsets, groups, 4, active)
    ads_of: dict[int, set[int]] = {}
    for d in range(len(offsets) - 1):
        if active[d]:
            for h in sh[offsets[d] : offsets[d + 1]].tolist():
                ads_of.setdefault(h, set()).add(d)
    want = sorted(h for h, ads in ads_of.items() if len({int(groups[d]) for d in ads}) >= 4)
    assert bp.shingles.tolist() == want
    assert bp.n_ads.tolist() == [len(ads_of[h]) for h in want]
    assert bp.example_row.tolist() == [min(ads_of[h]) for h in want]


def test_shingle_texts_collapses_what_is_between_words():
    from threadline.engines.online.boilerplate import shingle_texts
    from threadline.engines.online.minhash import batch_word_hashes, shingle_hashes

    texts = ["hello,   big -- world  again", "tiny", "ça   va\tbien ok"]
    buf = "\x02".join(texts).encode()
    hashes, lens = batch_word_hashes(buf, 2, len(texts))
    sh, offsets = shingle_hashes(hashes, lens.tolist())
    s32 = (sh >> np.uint64(32)).astype(np.uint32).tolist()
    per = [set(s32[offsets[i] : offsets[i + 1]]) for i in range(len(texts))]
    words = shingle_texts(texts, per)
    assert sorted(words.values()) == sorted(["hello big world", "big world again", "tiny", "ça va bien", "va bien ok"])
