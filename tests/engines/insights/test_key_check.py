"""Linkage keys: a file whose rows were encoded with different keys is refused by the engine's validation (so the
command line refuses it too), and so is a file under another key than the store's records."""

from __future__ import annotations

from typer.testing import CliRunner

from threadline.engines.insights import import_file, validate_file

OURS, THEIRS = "a1" * 8, "b2" * 8
HEADER = "case_id,gender,enc_key_id\n"


def _rows(key: str, first: int, n: int) -> str:
    return "".join(f"c{i},Female,{key}\n" for i in range(first, first + n))


def test_the_report_names_the_file_keys_and_where_each_first_appears(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(HEADER + _rows(OURS, 1, 3))
    report = validate_file(path, "htcds")
    assert report.ok and report.key_ids == {OURS: (2, "enc_key_id")}
    assert report.to_dict()["key_ids"] == {OURS: [2, "enc_key_id"]}


def test_a_file_mixing_keys_is_refused_at_the_row_where_the_second_key_appears(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + _rows(OURS, 1, 4) + _rows(THEIRS.upper(), 5, 2))
    report = validate_file(path, "htcds")
    assert not report.ok
    (issue,) = report.issues
    assert (issue.file, issue.row, issue.column) == ("mixed.csv", 6, "enc_key_id")
    assert "2 different linkage keys" in issue.reason and THEIRS in issue.reason
    assert not import_file(path, "htcds", "mixed", tmp_path / "store").stored


def test_the_command_line_refuses_mixed_keys_naming_file_line_and_field(tmp_path):
    from threadline.cli import app

    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + _rows(OURS, 1, 2) + _rows(THEIRS, 3, 1))
    runner = CliRunner()
    for command in (["validate"], ["import", "--source", "mixed", "--store", str(tmp_path / "store")]):
        result = runner.invoke(app, ["insights", *command, str(path), "--format", "htcds"])
        assert result.exit_code == 1, result.output
        where = "mixed.csv: row 4, column enc_key_id: the rows were encoded with 2 different linkage keys"
        assert where in result.output
    assert not (tmp_path / "store" / "batches").exists() or not list((tmp_path / "store" / "batches").iterdir())


def test_a_file_under_another_key_than_the_store_is_refused(tmp_path):
    store = tmp_path / "store"
    (tmp_path / "a.csv").write_text(HEADER + _rows(OURS, 1, 3))
    assert import_file(tmp_path / "a.csv", "htcds", "a", store).stored
    (tmp_path / "b.csv").write_text(HEADER + _rows(THEIRS, 1, 3))
    result = import_file(tmp_path / "b.csv", "htcds", "b", store)
    assert not result.stored
    (issue,) = result.validation.issues
    assert (issue.row, issue.column) == (2, "enc_key_id") and "different linkage key" in issue.reason
    (tmp_path / "c.csv").write_text(HEADER + _rows(OURS, 10, 3))
    assert import_file(tmp_path / "c.csv", "htcds", "c", store).stored
