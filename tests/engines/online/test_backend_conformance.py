"""One conformance body for every scan backend: each must give the reference scan's networks, ids, evidence and
workspace files on the same seeded corpus (the reference is the local backend run inline, one worker).

``local`` runs the process pool (two workers); ``spark`` runs the Spark backend (marked ``spark``: skipped without
pyspark and Java). A new backend is added by adding its parameter here.
"""

from __future__ import annotations

import json
from collections import Counter

import pyarrow.parquet as pq
import pytest

from threadline.engines.online import ScanOptions, run_scan

N_ADS = 1200
BACKENDS = ["local", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from threadline.engines.online import write_corpus

    base = tmp_path_factory.mktemp("conformance")
    # version 2: site boilerplate, copy-paste texts, agencies and spam, so the boilerplate and hub paths run
    path, _truth = write_corpus(N_ADS, 11, base / "ads.parquet", chunk=400, version=2)
    return base, path


def _options(**kw) -> ScanOptions:
    return ScanOptions(batch_size=400, html_report=False, **kw)


@pytest.fixture(scope="module")
def reference(corpus):
    base, path = corpus
    summary = run_scan([path], base / "reference", _options(workers=1), backend="local")
    return base / "reference", summary


def _backend(name: str, request):
    if name == "local":
        from threadline.engines.online import LocalBackend

        return LocalBackend(workers=2)
    from threadline.engines.online import backend_named

    return backend_named("spark", spark=request.getfixturevalue("spark"))


@pytest.fixture(scope="module", params=BACKENDS)
def scanned(request, corpus):
    base, path = corpus
    events: list[str] = []
    out = base / request.param
    summary = run_scan([path], out, _options(), progress_callback=lambda s, d, t: events.append(s),
                       backend=_backend(request.param, request))  # fmt: skip
    return request.param, out, summary, events


def _rows(ws, name, drop=()):
    t = pq.read_table(ws / f"{name}.parquet")
    return Counter(json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True, default=str)
                   for r in t.to_pylist())  # fmt: skip


def _partition(ws):
    groups: dict[str, set] = {}
    for r in pq.read_table(ws / "ads.parquet", columns=["ad_id", "network_id"]).to_pylist():
        groups.setdefault(r["network_id"], set()).add(r["ad_id"])
    return {k: frozenset(v) for k, v in groups.items()}


def test_same_networks_and_stable_ids(reference, scanned):
    ref_ws, _ = reference
    _, ws, _, _ = scanned
    expected, got = _partition(ref_ws), _partition(ws)
    assert set(expected.values()) == set(got.values())  # same membership
    assert expected == got  # and the same stable network ids
    assert sum(len(v) > 1 for v in expected.values()) > 20  # the corpus has real networks to find


def test_same_indicator_hits_entities_and_ads(reference, scanned):
    ref_ws, _ = reference
    _, ws, _, _ = scanned
    assert _rows(ref_ws, "indicators") == _rows(ws, "indicators")
    assert _rows(ref_ws, "entities") == _rows(ws, "entities")
    drop = ("indicator_categories", "indicator_weight")  # order and float sum depend on hit order in a batch
    assert _rows(ref_ws, "ads", drop) == _rows(ws, "ads", drop)

    def cats(w):
        t = pq.read_table(w / "ads.parquet", columns=["ad_id", "indicator_categories", "indicator_weight"])
        return {r["ad_id"]: (sorted(r["indicator_categories"]), round(r["indicator_weight"], 9)) for r in t.to_pylist()}

    assert cats(ref_ws) == cats(ws)
    assert pq.read_schema(ref_ws / "ads.parquet").equals(pq.read_schema(ws / "ads.parquet"))


def test_same_network_table_hubs_and_evidence(reference, scanned):
    ref_ws, _ = reference
    _, ws, _, _ = scanned
    ref_net, net = pq.read_table(ref_ws / "networks.parquet"), pq.read_table(ws / "networks.parquet")
    assert ref_net.schema.equals(net.schema)
    cols = ["network_id", "n_ads", "risk_score"]
    assert ref_net.select(cols).equals(net.select(cols))
    assert (ref_ws / "hubs.csv").read_text() == (ws / "hubs.csv").read_text()
    assert (ref_ws / "networks.csv").read_text() == (ws / "networks.csv").read_text()
    assert (ref_ws / "rejects.jsonl").read_text() == (ws / "rejects.jsonl").read_text()
    for name in ("links", "boilerplate"):  # the same evidence and the same boilerplate set aside
        assert pq.read_table(ref_ws / f"{name}.parquet").equals(pq.read_table(ws / f"{name}.parquet"))
    assert pq.read_table(ref_ws / "boilerplate.parquet").num_rows > 0  # the boilerplate path ran


def test_same_summary_and_stages(reference, scanned):
    _, ref = reference
    name, ws, summary, events = scanned
    assert summary["counts"] == ref["counts"] and summary["counts"]["balanced"]
    assert summary["engine"] == name and summary["status"] == "complete"
    assert json.loads((ws / "scan.json").read_text())["counts"] == ref["counts"]
    assert list(dict.fromkeys(events)) == ["read+extract", "link", "write", "networks"]
    assert summary["batches"]["total"] == ref["batches"]["total"] == 3
    from threadline.engines.online import connect

    con = connect(ws)
    assert con.execute("SELECT count(*) FROM ads").fetchone()[0] == ref["counts"]["ads"]


def test_an_unknown_backend_is_refused(tmp_path):
    from threadline.engines.online import backend_named

    with pytest.raises(ValueError, match="unknown scan backend 'nope'"):
        backend_named("nope")
