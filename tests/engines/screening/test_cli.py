"""``threadline screen``: list, show, evaluate, validate (JSON output and exit code 2 on bad input)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from threadline.cli import screen
from threadline.engines.screening import get_instrument

from .conftest import ILO_DIMENSIONS


@pytest.fixture(scope="module")
def app():
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """Test root."""

    screen.register(root, {})
    return root


@pytest.fixture(scope="module")
def run(app):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, ["screen", *args], input=input)

    return invoke


def test_list(run):
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    ids = [i["id"] for i in json.loads(result.stdout)]
    for wanted in ("ilo-2009-child-sexual", "ilo-2009-child-labour", "ilo-2009-adult-sexual", "ilo-2009-adult-labour"):
        assert wanted in ids
    table = run("list")
    assert table.exit_code == 0 and "ilo-2009-child-sexual" in table.stdout


def test_show_json(run):
    result = run("show", "ilo-2009-child-sexual", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "ilo-2009-child-sexual"
    assert [d["id"] for d in data["dimensions"]] == list(ILO_DIMENSIONS)
    for dim in data["dimensions"]:
        assert dim["name"]
        for ind in dim["indicators"]:
            assert ind["id"] and ind["strength"] in ("strong", "medium", "weak")


def test_show_table_in_french(run):
    result = run("show", "ilo-2009-child-labour", "--language", "fr")
    assert result.exit_code == 0, result.output
    assert "Travaillez-vous" in result.stdout


def _answers(tmp_path, data) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_evaluate(run, tmp_path):
    answers = {
        "deceived_job_location_employer": "yes",
        "deceived_wages": "yes",
        "excessive_hours": "yes",
        "wage_manipulation": "yes",
        "low_or_no_pay": "unknown",
        "hazardous_work": "declined",
    }
    result = run("evaluate", "--instrument", "ilo-2009-child-labour", "--answers", _answers(tmp_path, answers))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == "presumed_victim"
    dims = {d["id"]: d for d in data["dimensions"]}
    assert dims["exploitation"]["positive"] is True
    assert [i["id"] for i in dims["exploitation"]["indicators"]] == ["excessive_hours", "wage_manipulation"]
    assert dims["coercion_at_destination"]["positive"] is False
    adult = run(
        "evaluate", "--instrument", "ilo-2009-child-labour", "--answers", _answers(tmp_path, answers), "--adult"
    )
    assert json.loads(adult.stdout)["outcome"] == "further_assessment"
    table = run(
        "evaluate", "--instrument", "ilo-2009-child-labour", "--answers", _answers(tmp_path, answers), "--table"
    )
    assert table.exit_code == 0 and "presumed victim — reasonable grounds" in table.stdout


def test_evaluate_from_stdin_and_wrapped(run):
    body = json.dumps({"answers": {"excessive_hours": "no"}})
    result = run("evaluate", "--instrument", "ilo-2009-adult-labour", "--answers", "-", input=body)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "no_indicators"


def test_evaluate_instrument_file(run, tmp_path):
    path = tmp_path / "mine.json"
    data = get_instrument("example-quick-screen").to_dict()
    data["id"] = "org-own-screen"
    path.write_text(json.dumps(data), encoding="utf-8")
    answers = _answers(tmp_path, {"cannot_leave_place": "yes", "papers_held_by_others": "yes"})
    result = run("evaluate", "--instrument-file", str(path), "--answers", answers)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["instrument"]["id"] == "org-own-screen" and out["outcome"] == "further_assessment"


@pytest.mark.parametrize(
    ("args", "answers", "fragment"),
    [
        (["--instrument", "nope"], {}, "no installed instrument 'nope'"),
        (["--instrument", "ilo-2009-child-labour"], {"excesive_hours": "yes"}, "is not an indicator"),
        (["--instrument", "ilo-2009-child-labour"], {"excessive_hours": "maybe"}, "answer must be one of"),
        (["--instrument", "ilo-2009-child-labour"], ["excessive_hours"], "must hold a JSON object"),
        ([], {}, "exactly one of"),
        (["--instrument-file", "/nonexistent/x.yaml"], {}, "cannot read"),
    ],
)
def test_evaluate_bad_input_exits_2(run, tmp_path, args, answers, fragment):
    result = run("evaluate", *args, "--answers", _answers(tmp_path, answers))
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_evaluate_bad_json_exits_2(run, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = run("evaluate", "--instrument", "ilo-2009-child-labour", "--answers", str(path))
    assert result.exit_code == 2 and "not valid JSON" in result.stderr
    missing = run("evaluate", "--instrument", "ilo-2009-child-labour", "--answers", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "cannot read answers file" in missing.stderr


def test_validate(run, tmp_path, synthetic_data):
    good = tmp_path / "good.yaml"
    good.write_text(json.dumps(synthetic_data), encoding="utf-8")
    ok = run("validate", str(good))
    assert ok.exit_code == 0 and "valid instrument test-synthetic" in ok.stdout
    synthetic_data["dimensions"][2]["indicators"][4]["strength"] = "huge"
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps(synthetic_data), encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}: dimensions[2].indicators[4].strength: must be one of" in result.stderr
    as_json = run("validate", str(bad), "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["errors"][0]["path"] == "dimensions[2].indicators[4].strength"
    evaluated = run("evaluate", "--instrument-file", str(bad), "--answers", _answers(tmp_path, {}))
    assert evaluated.exit_code == 2 and "dimensions[2].indicators[4].strength" in evaluated.stderr


def test_validate_shipped_file(run):
    from importlib import resources

    entry = resources.files("threadline.engines.screening.instruments") / "ilo-2009-child-sexual.yaml"
    result = run("validate", str(entry), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["valid"] is True


def test_show_instrument_file_and_schema(run, tmp_path):
    path = tmp_path / "copy.yaml"
    path.write_text(json.dumps(get_instrument("example-weighted-score").to_dict()), encoding="utf-8")
    shown = run("show", "--instrument-file", str(path), "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "example-weighted-score"
    both = run("show", "example-weighted-score", "--instrument-file", str(path))
    assert both.exit_code == 2 and "exactly one of" in both.stderr
    schema = run("schema")
    assert schema.exit_code == 0 and json.loads(schema.stdout)["title"] == "Threadline screening instrument"
