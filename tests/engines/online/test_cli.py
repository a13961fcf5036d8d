import json

from typer.testing import CliRunner

from threadline.cli import app


def test_synth_scan_eval_cli(tmp_path):
    r = CliRunner()
    out = tmp_path / "c.parquet"
    res = r.invoke(app, ["synth", "ads", "--n", "400", "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["scan", str(out), "--out", str(tmp_path / "ws"), "--workers", "1", "-q"])
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["eval", "--workspace", str(tmp_path / "ws"), "--truth", str(tmp_path / "c.truth.parquet"),
                         "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["networks"]["pairwise"]["precision"] >= 0.95


def test_scan_missing_column_exit_code(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("a,b\n1,2\n")
    res = CliRunner().invoke(app, ["scan", str(p), "--out", str(tmp_path / "ws"), "-q"])
    assert res.exit_code == 2


def test_uri_inputs_need_the_spark_engine(tmp_path):
    res = CliRunner().invoke(app, ["scan", "s3a://bucket/ads/", "--out", str(tmp_path / "ws"), "-q"])
    assert res.exit_code == 2
    assert "--engine spark" in res.output
    assert not (tmp_path / "ws").exists()


def test_synth_is_deterministic_and_bland(tmp_path):
    from threadline.engines.online.synth import generate

    a = [r for r, _ in generate(300, 9)]
    b = [r for r, _ in generate(300, 9)]
    assert a == b
    langs = {"Call", "Llama", "Appelez"}
    assert any(any(w in r["body"] for w in langs) for r in a)


def test_generator_version_1_gives_the_old_corpora(tmp_path):
    """Old seeds stay reproducible: version 1 writes byte for byte what the generator wrote before version 2."""
    import hashlib

    from threadline.engines.online.synth import write_corpus

    path, _ = write_corpus(300, 5, tmp_path / "a.jsonl", chunk=100, version=1)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == (
        "bc00837ae3e8329d48bda876c9b813cbd016367c456140032ea5f69b948cbecd"
    )


def test_generator_version_2_has_the_phenomena_and_is_deterministic(tmp_path):
    import pyarrow.parquet as pq

    from threadline.engines.online.synth_v2 import AGENCY_LINES, SITE_BOILERPLATE

    r = CliRunner()
    for name in ("a", "b"):
        res = r.invoke(app, ["synth", "ads", "--n", "3000", "--seed", "4", "--out", str(tmp_path / f"{name}.parquet")])
        assert res.exit_code == 0, res.output
    a = pq.read_table(tmp_path / "a.parquet")
    assert a.equals(pq.read_table(tmp_path / "b.parquet"))
    bodies = a["body"].to_pylist()
    footer = [s for lang in SITE_BOILERPLATE.values() for s in lang]
    assert sum(any(s in b for s in footer) for b in bodies) > 200  # independent posters paste the site footer
    agency = [x.split("{")[0] for x in AGENCY_LINES.values()]
    assert sum(any(p in b for p in agency) for b in bodies) > 50
    truth = pq.read_table(tmp_path / "a.truth.parquet")
    hub_ads = [h for h in truth["hub"].to_pylist() if h]
    assert hub_ads  # agency numbers, recorded with the ads of their (unrelated) workers
    res = r.invoke(app, ["synth", "ads", "--n", "10", "--generator-version", "3", "--out", str(tmp_path / "c.parquet")])
    assert res.exit_code != 0 and "--generator-version" in res.output


def test_small_agencies_profile_is_scanned_without_chaining(tmp_path):
    """Generator version 2, profile ``agencies``: workers of small agencies (2 to 9) share one number beside
    their own contact; the small-hub guard keeps them apart, and the other profiles' corpora are unchanged."""
    from threadline.engines.online.evaluate import evaluate
    from threadline.engines.online.scan import ScanOptions, run_scan
    from threadline.engines.online.synth import write_corpus
    from threadline.engines.online.synth_v2 import PROFILES

    assert PROFILES["default"].small_agency_share == PROFILES["alt"].small_agency_share == 0
    ads, truth = write_corpus(6000, 5, tmp_path / "ads.parquet", version=2, profile="agencies")
    import pyarrow.parquet as pq

    hubs = pq.read_table(truth, columns=["network", "hub"]).to_pylist()
    workers: dict[str, set] = {}
    for r in hubs:
        if r["hub"]:
            workers.setdefault(r["hub"], set()).add(r["network"])
    assert any(2 <= len(v) <= 9 for v in workers.values())  # small agencies are planted
    scores = {}
    for small in (0, 3):
        ws = tmp_path / f"ws{small}"
        run_scan([ads], ws, ScanOptions(workers=1, html_report=False, small_hub_min_groups=small))
        scores[small] = evaluate(ws, truth)["networks"]["pairwise"]
    assert scores[3]["precision"] >= 0.98 and scores[3]["recall"] >= 0.99
    assert scores[3]["precision"] > scores[0]["precision"] and scores[3]["recall"] >= scores[0]["recall"] - 0.001
