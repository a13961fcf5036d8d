"""``threadline prevention`` and ``threadline synth responses``: JSON output, exit code 2 on bad input."""

from __future__ import annotations

import copy
import json

import pytest
import typer
import yaml
from typer.testing import CliRunner

from threadline.cli import prevention
from threadline.engines.prevention import get_questionnaire


@pytest.fixture(scope="module")
def run():
    root = typer.Typer()
    synth = typer.Typer()
    root.add_typer(synth, name="synth")
    prevention.register(root, {"synth": synth})
    runner = CliRunner()
    return lambda *args: runner.invoke(root, list(args))


def test_lists_and_shows(run):
    out = run("prevention", "curricula", "list", "--json")
    assert out.exit_code == 0 and json.loads(out.stdout)[0]["modules"] == 6
    out = run("prevention", "instruments", "list", "--json")
    assert {r["id"] for r in json.loads(out.stdout)} == {"pupil-prepost-starter", "educator-prepost-starter"}
    out = run("prevention", "instruments", "show", "pupil-prepost-starter", "-l", "ar")
    assert out.exit_code == 0 and "آمنون ومتساوون" in out.stdout
    out = run("prevention", "curricula", "show", "nope")
    assert out.exit_code == 2 and "starter-safe-and-equal" in out.stderr


def test_validate_reports_every_problem(run, tmp_path):
    data = copy.deepcopy(get_questionnaire("pupil-prepost-starter").raw)
    del data["title"]["ar"]
    data["scales"][0]["items"].append("ghost")
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = run("prevention", "instruments", "validate", str(path), "--json")
    assert out.exit_code == 2
    assert {e["path"] for e in json.loads(out.stdout)["errors"]} == {"title.ar", "scales[0].items[5]"}
    out = run("prevention", "curricula", "validate", str(path))
    assert out.exit_code == 2 and "must be 'curriculum'" in out.stderr


def test_synth_then_analyse(run, tmp_path):
    path = tmp_path / "r.csv"
    out = run("synth", "responses", "-o", str(path), "--n", "3000", "--schools", "4", "--seed", "1")
    assert out.exit_code == 0, out.output
    out = run("prevention", "analyse", str(path), "--instrument", "pupil-prepost-starter", "--json", "-l", "fr")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["respondents"]["pre"] > 1000 and data["summary"][0].startswith("Ce qui a changé")
    assert "row(s) left out" in out.stderr and f"{path}: line " in out.stderr
    out = run("prevention", "analyse", str(path), "--instrument", "pupil-prepost-starter", "--school", "school-0001")
    assert out.exit_code == 0 and "Knowledge" in out.stdout


def test_analyse_bad_input(run, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("instrument,phase\n", encoding="utf-8")
    out = run("prevention", "analyse", str(path), "--instrument", "pupil-prepost-starter")
    assert out.exit_code == 2 and "missing column(s) school" in out.stderr
    out = run("prevention", "analyse", str(tmp_path / "absent.csv"), "--instrument", "pupil-prepost-starter")
    assert out.exit_code == 2 and "cannot read" in out.stderr


def test_educator_questionnaire_end_to_end(run, tmp_path):
    path = tmp_path / "e.csv"
    assert (
        run("synth", "responses", "-o", str(path), "--instrument", "educator-prepost-starter", "--n", "400").exit_code
        == 0
    )
    out = run("prevention", "analyse", str(path), "--instrument", "educator-prepost-starter", "--json")
    assert out.exit_code == 0, out.output
    assert "RuntimeWarning" not in out.output
    data = json.loads(out.stdout)
    assert {r["outcome"] for r in data["rows"]} >= {"protocol_confidence", "e_not_my_job"}
    assert "respondents could be matched" in data["summary"][1]


def test_the_commands_never_import_django(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom threadline.cli import app\n"
        f"CliRunner().invoke(app, ['synth', 'responses', '-o', {str(tmp_path / 'r.csv')!r}, '--n', '300'])\n"
        f"r = CliRunner().invoke(app, ['prevention', 'analyse', {str(tmp_path / 'r.csv')!r}, "
        "'--instrument', 'pupil-prepost-starter'])\n"
        "print(r.exit_code, 'django' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]
