"""``threadline policy templates``: JSON output, every problem with its path, exit code 2 on bad input."""

from __future__ import annotations

import copy
import json

import pytest
import typer
import yaml
from typer.testing import CliRunner

from threadline.cli import policy
from threadline.engines.policy import get_template


@pytest.fixture(scope="module")
def run():
    root = typer.Typer()
    policy.register(root, {})
    runner = CliRunner()
    return lambda *args: runner.invoke(root, list(args))


def test_list_and_show(run):
    out = run("policy", "templates", "list", "--json")
    assert out.exit_code == 0
    rows = json.loads(out.stdout)
    assert {r["id"] for r in rows} == {"enoc-cfr-2020", "nl-kinderrechtentoets", "scotland-crwia", "unicef-uk-cfc-cria"}
    assert all(r["stages"] == 9 for r in rows)
    out = run("policy", "templates", "show", "enoc-cfr-2020", "--language", "fr")
    assert out.exit_code == 0 and "Consultation des enfants" in out.stdout
    out = run("policy", "templates", "show", "enoc-cfr-2020", "--json")
    assert json.loads(out.stdout)["id"] == "enoc-cfr-2020"


def test_unknown_id_and_missing_arguments_exit_2(run):
    out = run("policy", "templates", "show", "nope")
    assert out.exit_code == 2 and "no installed template 'nope'" in out.stderr
    assert run("policy", "templates", "show").exit_code == 2


def test_validate_reports_every_problem_with_its_path(run, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(get_template("scotland-crwia").raw, allow_unicode=True), encoding="utf-8")
    out = run("policy", "templates", "validate", str(good))
    assert out.exit_code == 0 and "valid assessment template scotland-crwia" in out.stdout
    data = copy.deepcopy(get_template("scotland-crwia").raw)
    data["stages"][4]["focus_articles"] = ["crc-77"]
    data["stages"][0]["title"].pop("ar")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = run("policy", "templates", "validate", str(bad), "--json")
    assert out.exit_code == 2
    report = json.loads(out.stdout)
    paths = {e["path"] for e in report["errors"]}
    assert {"stages[4].focus_articles[0]", "stages[0].title.ar"} <= paths
    out = run("policy", "templates", "validate", str(tmp_path / "missing.yaml"))
    assert out.exit_code == 2 and "cannot read" in out.stderr
    out = run("policy", "templates", "show", "--file", str(bad))
    assert out.exit_code == 2 and "stages[4].focus_articles[0]" in out.stderr
