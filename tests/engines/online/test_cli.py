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
