import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online.link import LinkOptions, link, merge_unique, stable_ids
from threadline.engines.online.minhash import BANDS, NUM_PERM

from .text_arrays import link_arrays


def _no_text(n):
    return (np.zeros((n, BANDS), dtype=np.uint64), np.zeros((n, NUM_PERM), dtype=np.uint16),
            np.zeros(0, dtype=np.uint32), np.zeros(n + 1, dtype=np.int64))  # fmt: skip


def _run(n, pairs, **kw):
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    keys = np.array([k for _, k in pairs], dtype=np.uint64)
    return link(n, rows, keys, np.ones(len(keys), np.int8), *_no_text(n), LinkOptions(**kw))


def test_shared_identifiers_link_transitively():
    res = _run(5, [(0, 1), (1, 1), (1, 2), (2, 2), (3, 9)])
    lab = res.labels
    assert lab[0] == lab[1] == lab[2]
    assert lab[3] != lab[0] and lab[4] not in (lab[0], lab[3])


def test_hub_does_not_merge_networks():
    pairs = []
    n = 0
    # 12 networks of 3 ads, each with its own phone; every ad also shows the site's help line (key 999)
    for net in range(12):
        for _ in range(3):
            pairs += [(n, 100 + net), (n, 999)]
            n += 1
    res = _run(n, pairs, hub_min_ads=10, hub_min_groups=10)
    assert len(res.hubs) == 1 and res.hubs[0]["key"] == 999
    assert len(set(res.labels.tolist())) == 12


def test_large_real_network_is_not_a_hub():
    # 40 ads of one operation: one phone everywhere, two emails in alternation (all of them shared)
    pairs = [(i, 5) for i in range(40)] + [(i, 6 + i % 2) for i in range(40)]
    res = _run(40, pairs, hub_min_ads=10, hub_min_groups=10)
    assert res.hubs == []
    assert len(set(res.labels.tolist())) == 1


def test_a_small_agency_number_does_not_chain_its_workers():
    # 4 workers of a small agency, 2 or 3 ads each with the worker's own contact; the agency's number (999) is on
    # every ad, and the workers' texts share nothing
    pairs, n = [], 0
    for worker, n_ads in enumerate([2, 3, 2, 3]):
        for _ in range(n_ads):
            pairs += [(n, 100 + worker), (n, 999)]
            n += 1
    res = _run(n, pairs)
    assert [h["key"] for h in res.hubs] == [999] and res.hubs[0]["n_groups"] == 4  # kept for the analyst
    assert len(set(res.labels.tolist())) == 4
    assert len(set(_run(n, pairs, small_hub_min_groups=0).labels.tolist())) == 1  # the rule off: one chain


def test_a_small_operation_with_shared_contacts_is_not_a_small_hub():
    # 8 ads of one operation: one phone everywhere, two emails in alternation; and two workers of it sharing
    # a phone with only one other contact each (two groups are not enough to call a number a hub)
    pairs = [(i, 5) for i in range(8)] + [(i, 6 + i % 2) for i in range(8)]
    pairs += [(8, 20), (8, 21), (9, 20), (9, 22)]
    res = _run(10, pairs)
    assert res.hubs == []
    labels = res.labels.tolist()
    assert len(set(labels[:8])) == 1 and labels[8] == labels[9] != labels[0]


def test_near_duplicate_text_links_and_different_text_does_not():
    base = "friendly calm company near the station enjoy coffee and music with a kind host replies within the hour"
    texts = [base, base.replace("kind", "warm"), "totally different words about gardens museums and bikes in spring",
             ""]  # fmt: skip
    no_keys = np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.int8)
    res = link(4, *no_keys, *link_arrays(texts), LinkOptions())
    assert res.labels[0] == res.labels[1]
    assert res.labels[2] != res.labels[0] and res.labels[3] not in (res.labels[0], res.labels[2])


@given(st.permutations(list(range(8))))
@settings(max_examples=30, deadline=None)
def test_network_ids_stable_under_reordering(perm):
    ids = np.array([1000 + i for i in range(8)], dtype=np.uint64)
    groups = [0, 0, 1, 1, 1, 2, 3, 3]
    a = stable_ids(np.array(groups), ids)
    p = np.array(perm)
    b = stable_ids(np.array([groups[i] for i in p]), ids[p])
    assert [a[i] for i in p] == list(b)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50)), st.lists(st.integers(0, 50)))
def test_merge_unique_is_sorted_union(a, b):
    x = np.unique(np.array(a, dtype=np.int64))
    y = np.unique(np.array(b, dtype=np.int64))
    assert merge_unique(x, y).tolist() == sorted(set(a) | set(b))
