"""The synthetic generator (calibration, determinism, no raw identifiers in encoded files) and the CLI."""

from __future__ import annotations

import collections
import json

import pyarrow.compute as pc
from typer.testing import CliRunner

from threadline.engines.insights.synthetic import generate, write_agency_files


def test_generator_is_seeded_and_calibrated():
    a, b = generate(12000, 4, seed=11), generate(12000, 4, seed=11)
    assert a.table.equals(b.table)
    t = a.table
    assert t.num_rows == 12000
    # person-level shares (one row per person)
    first = t.take(pc.unique(t["person_id"]).to_pylist() and _first_rows(t))
    n = first.num_rows
    girls = pc.sum(pc.and_(pc.equal(first["gender"], "Female"), pc.equal(first["majorityStatus"], "Minor"))).as_py()
    boys = pc.sum(pc.and_(pc.equal(first["gender"], "Male"), pc.equal(first["majorityStatus"], "Minor"))).as_py()
    assert abs(girls / n - 0.22) < 0.02 and abs(boys / n - 0.16) < 0.02
    girl_rows = first.filter(pc.and_(pc.equal(first["gender"], "Female"), pc.equal(first["majorityStatus"], "Minor")))
    assert abs(pc.mean(girl_rows["isSexualExploit"]).as_py() - 0.60) < 0.03
    crim = pc.mean(first["isForcedCriminality"]).as_py()
    assert 0.05 < crim < 0.11
    copies = collections.Counter(t["person_id"].to_pylist())
    assert 0.15 < sum(1 for c in copies.values() if c > 1) / len(copies) < 0.45


def _first_rows(t):
    seen, idx = set(), []
    for i, p in enumerate(t["person_id"].to_pylist()):
        if p not in seen:
            seen.add(p)
            idx.append(i)
    return idx


def test_agency_files_hold_encodings_not_names(tmp_path):
    data = generate(500, 2, seed=5)
    files = write_agency_files(data, tmp_path)
    names = {n for n in data.table["family_name"].to_pylist() if n}
    text = "".join(f.read_text() for f in files)
    assert not any(name in text for name in list(names)[:50])
    assert (tmp_path / "truth.csv").read_text().startswith('"record_id","person_id"')
    raw = write_agency_files(data, tmp_path / "raw", raw=True)
    assert "given_name" in raw[0].read_text().splitlines()[0]


def test_cli_end_to_end(tmp_path):
    from threadline.cli import app

    runner = CliRunner()
    out, store = tmp_path / "synth", tmp_path / "store"
    res = runner.invoke(app, ["synth", "records", "--n", "800", "--agencies", "2", "--seed", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for agency in ("agency01", "agency02"):
        res = runner.invoke(
            app,
            [
                "insights",
                "import",
                str(out / f"{agency}.csv"),
                "--format",
                "htcds",
                "--source",
                agency,
                "--store",
                str(store),
            ],
        )
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["insights", "link", "--store", str(store), "--truth", str(out / "truth.csv")])
    assert res.exit_code == 0, res.output
    assert "F1" in res.output
    res = runner.invoke(
        app,
        ["insights", "export", "--format", "ctdc", "--out", str(tmp_path / "c.csv"), "--store", str(store)],
    )
    assert res.exit_code == 0 and "800 records" in res.output
    res = runner.invoke(app, ["insights", "validate", str(tmp_path / "c.csv"), "--format", "ctdc"])
    assert res.exit_code == 0, res.output


def test_cli_failed_import_exits_1_and_lists_problems(tmp_path):
    from threadline.cli import app

    (tmp_path / "bad.csv").write_text("case_id,gender,yearOfRegistration\n1,Female,20x1\n2,Robot,2020\n")
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "insights",
            "import",
            str(tmp_path / "bad.csv"),
            "--format",
            "htcds",
            "--source",
            "ngo",
            "--store",
            str(tmp_path / "store"),
            "--report",
            str(tmp_path / "r.json"),
            "--strict",
        ],
    )
    assert res.exit_code == 1
    assert "row 2, column yearOfRegistration [20x1]" in res.output and "row 3, column gender [Robot]" in res.output
    assert (tmp_path / "r.json").exists()
    assert not list((tmp_path / "store" / "batches").glob("*"))
    res = runner.invoke(app, ["insights", "import", str(tmp_path / "bad.csv"), "--format", "xml", "--source", "n"])
    assert res.exit_code == 2


def test_cli_lenient_import_keeps_rows_and_writes_the_rejects(tmp_path):
    from threadline.cli import app

    (tmp_path / "messy.csv").write_text(
        "case_id,gender,yearOfRegistration\n1,Female,20x1\n2,Robot,2020\n,Male,2021\n4,Male,2021,extra\n5,Male,2022\n"
    )
    res = CliRunner().invoke(
        app,
        [
            *["insights", "import", str(tmp_path / "messy.csv"), "--format", "htcds", "--source", "ngo"],
            *["--store", str(tmp_path / "store"), "--report", str(tmp_path / "r.json")],
        ],
    )
    assert res.exit_code == 0, res.output
    assert "5 rows = 3 kept + 2 quarantined" in res.output
    assert "stored 3 records" in res.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["stored_rows"] == 3 and report["quarantined"] == 2 and report["rows"] == 5
    rejects = (tmp_path / "messy.rejects.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in rejects] == ["row", "4", "5"]
    assert "no case id" in rejects[1] and "expected 3 fields, found 4" in rejects[2]


def test_cli_export_htcds_csv_and_template_round_trip(tmp_path):
    from threadline.cli import app
    from threadline.engines.insights import records_table

    runner = CliRunner()
    src = tmp_path / "in.csv"
    src.write_text(
        "case_id,prs_Gender,prs_Citizenship,vic_TypeOfExploitation\nA,Feminine,PH;US,ChildLabour\nB,Masculine,UA,\n"
    )
    res = runner.invoke(
        app, ["insights", "import", str(src), "--format", "htcds", "--source", "a", "--store", str(tmp_path / "s")]
    )
    assert res.exit_code == 0, res.output
    for fmt, name in (("htcds", "out.csv"), ("htcds-xlsx", "out.xlsx")):
        out = tmp_path / name
        res = runner.invoke(
            app, ["insights", "export", "--format", fmt, "--out", str(out), "--store", str(tmp_path / "s")]
        )
        assert res.exit_code == 0 and "wrote 2 records" in res.output, res.output
        res = runner.invoke(
            app,
            [
                "insights",
                "import",
                str(out),
                "--format",
                "htcds",
                "--source",
                fmt,
                "--store",
                str(tmp_path / fmt),
                "--strict",
            ],
        )
        assert res.exit_code == 0, res.output
        back = sorted(records_table(tmp_path / fmt, ["gender", "citizenship", "isForcedLabour"]).to_pylist(), key=str)
        assert back == [
            {"gender": "Female", "citizenship": "PH", "isForcedLabour": 1},
            {"gender": "Male", "citizenship": "UA", "isForcedLabour": None},
        ]
    res = runner.invoke(app, ["insights", "export", "--format", "xml", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2


def test_messy_records_are_reported_and_quarantined_as_planted(tmp_path):
    from threadline.engines.insights import import_file

    from .conftest import KEY

    paths = write_agency_files(generate(600, 2, seed=3), tmp_path / "m", raw=True, messy=0.1, seed=3)
    planted = json.loads((tmp_path / "m" / "messy.json").read_text())
    assert set(planted) == {p.name for p in paths}
    total = {k: sum(c[k] for c in planted.values()) for k in planted[paths[0].name]}
    assert all(total[k] > 0 for k in total), total
    for path in paths:
        want = planted[path.name]
        rep = import_file(path, "htcds", path.stem, tmp_path / "store", key=KEY, rejects=tmp_path / f"{path.stem}.rej")
        assert rep.stored, rep.validation.summary()
        assert rep.quarantined == want["short_row"] + want["no_case_id"]
        assert rep.rows == rep.stored_rows + rep.quarantined
        by_column = collections.Counter(i.column for i in rep.validation.issues if i.action == "set to missing")
        assert by_column["date_of_birth"] >= want["typo_date"]
        assert by_column["isForcedLabour"] >= want["bad_flag"]
        assert by_column["gender"] >= want["unknown_value"]
        assert by_column["citizenship"] == 0  # 00 is the data dictionary's unknown, not a problem
