import json

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from threadline.engines.online.evaluate import evaluate
from threadline.engines.online.scan import ScanOptions, run_scan

EXPECTED = ["ads.parquet", "entities.parquet", "indicators.parquet", "networks.parquet", "networks.csv", "hubs.csv",
            "rejects.jsonl", "scan.json", "report.html", "workspace.duckdb", "links.parquet",
            "boilerplate.parquet"]  # fmt: skip


def test_workspace_files_and_counts(workspace):
    ws, summary, events = workspace
    for name in EXPECTED:
        assert (ws / name).exists(), name
    c = summary["counts"]
    assert summary["status"] == "complete"
    assert c["input_records"] == 1500 and c["read"] + c["rejected"] == c["input_records"] and c["balanced"]
    nets = pacsv.read_csv(ws / "networks.csv")
    assert nets.column_names == ["ad_id", "network_id"]
    assert nets.num_rows == 1500 == len(set(nets["ad_id"].to_pylist()))
    assert {"read+extract", "link", "write", "networks"} <= {e[0] for e in events}
    scan = json.loads((ws / "scan.json").read_text())
    assert set(scan["seconds"]) >= {"read+extract", "link", "write", "networks", "total"}


def test_quality_on_synthetic_corpus(workspace, corpus):
    ws, _, _ = workspace
    res = evaluate(ws, corpus[1])
    pw = res["networks"]["pairwise"]
    assert pw["precision"] >= 0.98 and pw["recall"] >= 0.95, pw
    for cat, m in res["indicators"].items():
        if cat != "obscured_contact":
            assert m["precision"] >= 0.95 and m["recall"] >= 0.95, (cat, m)


def test_hubs_reported_and_not_merging(workspace, corpus):
    ws, _, _ = workspace
    truth = pq.read_table(corpus[1]).to_pylist()
    hub_values = {t["hub"] for t in truth if t["hub"]}
    hubs = pacsv.read_csv(ws / "hubs.csv", convert_options=pacsv.ConvertOptions(
        column_types={"value": "string"})).to_pylist()  # fmt: skip
    assert hub_values and hub_values <= {h["value"] for h in hubs}


def test_evidence_spans_and_networks_schema(workspace):
    ws, _, _ = workspace
    ads = {a["ad_id"]: a for a in pq.read_table(ws / "ads.parquet", columns=["ad_id", "title", "body"]).to_pylist()}
    ind = pq.read_table(ws / "indicators.parquet").to_pylist()
    assert ind
    for h in ind[:300]:
        text = ads[h["ad_id"]][h["field"]]
        assert text[h["start"] : h["end"]] == h["matched"]
    net = pq.read_table(ws / "networks.parquet")
    for col in ("network_id", "n_ads", "n_phones", "n_cities", "n_names", "n_sites", "span_days", "ads_per_day",
                "cities_per_week", "price_median", "risk_score", "risk_explanation", "n_youth_cues"):  # fmt: skip
        assert col in net.column_names
    top = net.slice(0, 1).to_pylist()[0]
    expl = json.loads(top["risk_explanation"])
    assert abs(sum(e["points"] for e in expl) - top["risk_score"]) < 0.1


def test_duckdb_views(workspace):
    ws, _, _ = workspace
    con = duckdb.connect(str(ws / "workspace.duckdb"), read_only=True)
    n = con.execute("SELECT count(*) FROM ads").fetchone()[0]
    m = con.execute("SELECT sum(n_ads) FROM networks").fetchone()[0]
    phone = con.execute("SELECT value FROM entities WHERE kind = 'phone' LIMIT 1").fetchone()[0]
    hit = con.execute("SELECT count(*) FROM entities WHERE kind = 'phone' AND value = ?", [phone]).fetchone()[0]
    con.close()
    assert n == m == 1500 and hit >= 1


def test_rerun_gives_same_network_ids(workspace, corpus, tmp_path):
    ws, _, _ = workspace
    run_scan([corpus[0]], tmp_path, ScanOptions(workers=1, batch_size=700, html_report=False))
    a = dict(
        pacsv.read_csv(ws / "networks.csv").to_pylist()
        and [(r["ad_id"], r["network_id"]) for r in pacsv.read_csv(ws / "networks.csv").to_pylist()]
    )
    b = {r["ad_id"]: r["network_id"] for r in pacsv.read_csv(tmp_path / "networks.csv").to_pylist()}
    assert a == b


def test_resume_skips_finished_batches(corpus, tmp_path):
    from threadline.engines.online.backend import Cancelled

    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 2

    try:
        run_scan([corpus[0]], tmp_path, ScanOptions(workers=1, batch_size=300), cancel_check=cancel)
        raise AssertionError("expected a cancellation")
    except Cancelled:
        pass
    state = json.loads((tmp_path / "scan.json").read_text())
    assert state["status"] == "running"  # an interrupted run never looks complete
    done_before = len(list((tmp_path / "_parts").glob("done-*.json")))
    assert 0 < done_before < 5
    s = run_scan([corpus[0]], tmp_path, ScanOptions(workers=1, batch_size=300))
    assert s["batches"]["resumed_from_previous_run"] == done_before
    assert s["counts"]["read"] == 1500


def test_two_workers(corpus, tmp_path):
    s = run_scan([corpus[0]], tmp_path, ScanOptions(workers=2, batch_size=500, html_report=False))
    assert s["workers"] == 2 and s["counts"]["read"] == 1500


def test_search_by_identifier_as_typed(workspace):
    from threadline.engines.online.workspace import connect, find_networks

    ws, _, _ = workspace
    con = connect(ws)
    phone, nid = con.execute("SELECT value, network_id FROM entities WHERE kind = 'phone' AND value LIKE '+1%' LIMIT 1"
                             ).fetchone()  # fmt: skip
    national = phone[2:]
    typed = f"({national[:3]}) {national[3:6]}-{national[6:]}"
    assert ("phone", phone, nid) in find_networks(con, typed, "US")


def test_network_features_in_several_passes_match_one_pass(tmp_path, monkeypatch):
    """The network table is aggregated in passes over disjoint networks when the corpus is large."""
    from threadline.engines.online import finalize
    from threadline.engines.online.synth import write_corpus

    corpus = tmp_path / "ads.parquet"
    write_corpus(600, 3, corpus)
    ws = tmp_path / "ws"
    run_scan([corpus], ws, ScanOptions(workers=1, html_report=False))
    one = finalize.network_table(ws / "ads.parquet", 1).sort_by("network_id")
    monkeypatch.setattr(finalize, "PASS_ADS", 100)
    several = finalize.network_table(ws / "ads.parquet", 1).sort_by("network_id")
    assert several.num_rows == one.num_rows > 100
    assert several.equals(one)


def test_every_linked_ad_says_why_it_is_in_its_network(workspace):
    ws, summary, _ = workspace
    nets = pacsv.read_csv(ws / "networks.csv").to_pylist()
    size: dict[str, int] = {}
    for r in nets:
        size[r["network_id"]] = size.get(r["network_id"], 0) + 1
    links = pq.read_table(ws / "links.parquet").to_pylist()
    explained = {r["ad_id"] for r in links} | {r["other_ad_id"] for r in links}
    in_multi = {r["ad_id"] for r in nets if size[r["network_id"]] > 1}
    assert in_multi and in_multi == explained
    net_of = {r["ad_id"]: r["network_id"] for r in nets}
    for r in links:
        assert net_of[r["ad_id"]] == net_of[r["other_ad_id"]] == r["network_id"]
        assert (r["value"] is None) == (r["kind"] == "text")
    by_net = {r["network_id"]: r for r in pq.read_table(ws / "networks.parquet").to_pylist()}
    for nid, n in size.items():
        row = by_net[nid]
        n_links = sum(row[f"links_{k}"] for k in ("phone", "email", "handle", "image", "text"))
        assert n_links >= n - 1  # a spanning set of links at least
    bp = pq.read_table(ws / "boilerplate.parquet")
    assert bp.schema.metadata[b"min_groups"] == b"5"
    assert bp.num_rows == summary["counts"]["boilerplate_shingles"]
    assert bp.column("shingle").null_count == 0


def test_quality_on_a_corpus_full_of_boilerplate(tmp_path):
    """Version 2 corpus (site boilerplate, copy-paste texts, agencies, spam): no network glues many groups."""
    from threadline.engines.online.synth import write_corpus

    corpus, truth = write_corpus(6000, 8, tmp_path / "ads.parquet", chunk=3000, version=2)
    run_scan([corpus], tmp_path / "ws", ScanOptions(workers=1, html_report=False))
    pw = evaluate(tmp_path / "ws", truth)["networks"]["pairwise"]
    assert pw["precision"] >= 0.99 and pw["recall"] >= 0.95, pw
    t = {r["ad_id"]: r["network"] for r in pq.read_table(truth).to_pylist()}
    groups: dict[str, set] = {}
    for r in pacsv.read_csv(tmp_path / "ws" / "networks.csv").to_pylist():
        groups.setdefault(r["network_id"], set()).add(t[r["ad_id"]])
    assert max(len(g) for g in groups.values()) <= 20
