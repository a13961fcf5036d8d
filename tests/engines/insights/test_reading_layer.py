"""The importer's reading layer: line endings, giant cells and a BOM are read or reported, never a crash
(issue #18, item 11)."""

import pytest

from threadline.engines.insights import validate_file

HEADER = "case_id,gender,yearOfRegistration"


def _validate(tmp_path, data: bytes):
    path = tmp_path / "partner.csv"
    path.write_bytes(data)
    return validate_file(path, "htcds", source="p")


@pytest.mark.parametrize("newline", [b"\r", b"\r\n", b"\n"])
def test_any_line_ending_is_read(tmp_path, newline):
    rows = [HEADER.encode(), b"c1,Female,2020", b"c2,Male,2021"]
    report = _validate(tmp_path, newline.join(rows) + newline)
    assert report.ok and report.rows == 2, report.summary()


def test_a_giant_header_cell_is_a_clear_problem(tmp_path):
    report = _validate(tmp_path, b"case_id," + b"g" * 140_000 + b",yearOfRegistration\nc1,Female,2020\n")
    assert not report.ok
    [issue] = report.issues
    assert issue.row == 1 and "longer than" in issue.reason and "g" * 50 not in issue.reason


def test_a_header_line_without_end_is_a_clear_problem(tmp_path):
    report = _validate(tmp_path, b"case_id," * 300_000)
    assert not report.ok and report.issues[0].row == 1 and "header" in report.issues[0].reason


def test_a_giant_data_cell_is_a_problem_of_its_row(tmp_path):
    report = _validate(tmp_path, f"{HEADER}\nc1,{'F' * 140_000},2020\nc2,Male,2021\n".encode())
    assert report.rows == 2 and [i.row for i in report.issues] == [2]


def test_a_bom_is_not_part_of_the_first_column(tmp_path):
    report = _validate(tmp_path, ("\ufeff" + HEADER + "\nc1,Female,2020\n").encode())
    assert report.ok and report.rows == 1
    assert dict(report.columns).get("case_id") is not None
