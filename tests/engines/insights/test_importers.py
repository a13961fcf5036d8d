"""Importers: valid files of each format, and malformed files (every problem reported, nothing stored)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.insights import import_file, records_table, validate_file
from threadline.engines.insights.importers import ImportError_
from threadline.engines.insights.importers.base import QUARANTINED
from threadline.engines.insights.schema import CTDC_COLUMNS, CTDC_SYNTHETIC_COLUMNS
from threadline.engines.insights.store import Store

from .conftest import KEY, ctdc_row, synthetic_row, write_ctdc


def _nothing_stored(store) -> bool:
    st_ = Store(store)
    return not st_.batch_files() and not list(st_.batches_dir.glob("*")) if st_.batches_dir.exists() else True


def test_valid_ctdc_file_is_imported(tmp_path):
    path = write_ctdc(tmp_path / "ctdc.csv", [ctdc_row(), ctdc_row(gender="Male", citizenship="Unknown")])
    rep = import_file(path, "ctdc", "partnerA", tmp_path / "store")
    assert rep.stored and rep.rows == 2, rep.validation.summary()
    t = records_table(tmp_path / "store").to_pylist()
    assert [r["gender"] for r in t] == ["Female", "Male"]
    assert t[0]["yearOfRegistration"] == 2019 and t[0]["citizenship"] == "UA"
    assert t[1]["citizenship"] is None  # "Unknown" is missing
    assert t[0]["meansOfControlDebtBondage"] is None  # -99 is missing
    assert t[0]["meansOfControlThreats"] == 1
    assert t[0]["record_id"] == t[0]["cluster_id"]  # unlinked
    assert t[0]["source"] == "partnerA" and t[0]["source_row"] == 2


def _malformed_ctdc(tmp_path):
    rows = [
        ctdc_row(),
        ctdc_row(isSexualExploit="Zorbaxi"),  # row 3: a stray word in a flag
        ctdc_row()[:-2],  # row 4: too few fields
        ctdc_row(yearOfRegistration="19x9", citizenship="Atlantis"),  # row 5: two problems
        ctdc_row(ageBroad="teen"),  # row 6
        ctdc_row(),
    ]
    return write_ctdc(tmp_path / "bad.csv", rows)


def test_strict_import_reports_every_problem_with_row_and_column_and_stores_nothing(tmp_path):
    path = _malformed_ctdc(tmp_path)
    store = tmp_path / "store"
    rep = import_file(path, "ctdc", "partnerA", store, strict=True)
    assert not rep.stored
    found = {(i.row, i.column) for i in rep.validation.issues}
    assert found == {
        (3, "isSexualExploit"),
        (4, ""),
        (5, "yearOfRegistration"),
        (5, "citizenship"),
        (6, "ageBroad"),
    }
    assert all(i.file == "bad.csv" and i.action == "refused" for i in rep.validation.issues)
    assert _nothing_stored(store)
    assert records_table(store).num_rows == 0


def test_lenient_import_keeps_good_values_and_quarantines_bad_rows(tmp_path):
    path = _malformed_ctdc(tmp_path)
    store = tmp_path / "store"
    rep = import_file(path, "ctdc", "partnerA", store, rejects=tmp_path / "rejects.csv")
    assert rep.stored, rep.validation.summary()
    assert rep.rows == 6 and rep.stored_rows == 5 and rep.quarantined == 1
    issues = {(i.row, i.column): i for i in rep.validation.issues}
    assert issues[(4, "")].action == "row quarantined"
    assert issues[(3, "isSexualExploit")].action == "set to missing"
    assert issues[(3, "isSexualExploit")].value == "Zorbaxi"  # the report names the value it could not read
    assert issues[(5, "citizenship")].value == "Atlantis"
    t = {r["source_row"]: r for r in records_table(store).to_pylist()}
    assert sorted(t) == [2, 3, 5, 6, 7]
    assert t[3]["isSexualExploit"] is None and t[3]["meansOfControlThreats"] == 1  # the rest of the row kept
    assert t[5]["yearOfRegistration"] is None and t[5]["citizenship"] is None and t[5]["gender"] == "Female"
    rejects = (tmp_path / "rejects.csv").read_text().splitlines()
    assert rejects[0].startswith("row,reason,yearOfRegistration,")
    assert rejects[1].startswith("4,expected 63 fields, found 61,2019,") or rejects[1].startswith('4,"expected 63')
    assert len(rejects) == 2


def test_header_problems_are_reported(tmp_path):
    header = [c for c in CTDC_COLUMNS if c != "gender"] + ["nickname"]
    path = write_ctdc(tmp_path / "h.csv", [[*ctdc_row()[:-1], "x"]], header=header)
    rep = validate_file(path, "ctdc", strict=True)
    assert {(i.row, i.column) for i in rep.issues} == {(1, "gender"), (1, "nickname")}
    rep = validate_file(path, "ctdc")  # lenient: the missing column is missing, the extra one ignored
    header_issues = {(i.column, i.action) for i in rep.issues if i.row == 1}
    assert header_issues == {("gender", "set to missing"), ("nickname", "column ignored")}
    path = write_ctdc(tmp_path / "h.csv", [[*ctdc_row()[:-1], "x"]], header=["nickname", *CTDC_COLUMNS[1:20]])
    assert not validate_file(path, "ctdc").ok  # most columns missing: not a CTDC file at all


def test_invalid_utf8_is_reported_with_its_row(tmp_path):
    path = write_ctdc(tmp_path / "enc.csv", [ctdc_row(), ctdc_row()])
    data = path.read_bytes().replace(b";Friend;", b";Fri\xffnd;", 1)
    path.write_bytes(data)
    rep = import_file(path, "ctdc", "p", tmp_path / "store")
    assert not rep.stored
    assert [i.row for i in rep.validation.issues] == [2]


def test_empty_file_and_missing_file(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    assert [i.row for i in validate_file(tmp_path / "empty.csv", "ctdc").issues] == [1]
    assert validate_file(tmp_path / "nope.csv", "ctdc").issues[0].reason == "file not found"
    only_header = write_ctdc(tmp_path / "h.csv", [])
    rep = import_file(only_header, "ctdc", "p", tmp_path / "store")
    assert not rep.stored and "no data rows" in rep.validation.issues[0].reason


def test_bad_arguments_raise(tmp_path):
    with pytest.raises(ImportError_):
        import_file(tmp_path / "x.csv", "csv", "p", tmp_path)
    with pytest.raises(ImportError_):
        import_file(tmp_path / "x.csv", "ctdc", "bad source/name", tmp_path)


def test_ctdc_synthetic_format(tmp_path):
    path = tmp_path / "syn.csv"
    rows = [synthetic_row(), synthetic_row(gender="Man", CountryOfExploitation="THA", meansThreats="1")]
    path.write_text(",".join(CTDC_SYNTHETIC_COLUMNS) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    rep = import_file(path, "ctdc-synthetic", "ctdc", tmp_path / "store")
    assert rep.stored, rep.validation.summary()
    t = records_table(tmp_path / "store").to_pylist()
    assert [r["gender"] for r in t] == ["Female", "Male"]
    assert [r["CountryOfExploitation"] for r in t] == ["GB", "TH"]
    assert t[0]["meansAbusePsyPhySex"] == 1 and t[1]["meansThreats"] == 1
    assert t[0]["traffickMonths"] == "0--12"


HTCDS = (
    "case_id,registration_year,sex,age_group,nationality,country_of_exploitation,type_of_exploitation,"
    "means_of_control,screening_method,agency_notes\n"
    "A1,2022,girl,9--17,NG,IT,sexual exploitation|forced criminality,threats;debt bondage,Outreach,x\n"
    'A2,2023,boy,0--8,NGA,IT,"forced labour, begging",,Hotline,y\n'
)


def test_htcds_with_aliases_lists_and_a_mapping(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HTCDS)
    rep = validate_file(path, "htcds", strict=True)
    assert [(i.row, i.column) for i in rep.issues] == [(1, "agency_notes")]  # unmapped column
    assert [(i.column, i.action) for i in validate_file(path, "htcds").issues] == [("agency_notes", "column ignored")]
    rep = validate_file(path, "htcds", mapping={"agency_notes": None})
    assert rep.ok and not rep.issues  # "begging" is forced labour, begging
    path.write_text(HTCDS.replace("forced labour, begging", "forced labour"))
    rep = import_file(path, "htcds", "shelter", tmp_path / "store", mapping={"agency_notes": None})
    assert rep.stored, rep.validation.summary()
    t = {r["record_id"]: r for r in records_table(tmp_path / "store").to_pylist()}
    a1, a2 = t["shelter:A1"], t["shelter:A2"]
    assert a1["isSexualExploit"] == 1 and a1["isForcedCriminality"] == 1 and a1["isForcedLabour"] == 0
    assert a1["meansOfControlThreats"] == 1 and a1["meansOfControlDebtBondage"] == 1
    assert a1["screeningMethod"] == "Outreach" and a1["gender"] == "Female"
    assert a2["citizenship"] == "NG" and a2["isForcedLabour"] == 1 and a2["meansOfControlThreats"] is None


def test_mapping_errors(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("ref,year\nA,2020\n")
    rep = validate_file(path, "htcds", mapping={"ref": "case_id", "year": "yearOfRegistrationX", "ghost": None})
    assert {(i.row, i.column) for i in rep.issues} == {(1, "year"), (1, "ghost")}
    rep = validate_file(path, "htcds", mapping={"ref": "case_id", "year": "yearOfRegistration"})
    assert rep.ok and rep.columns == {"ref": "case_id", "year": "yearOfRegistration"}


def test_raw_identifiers_need_a_key_and_are_never_stored(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text(
        "case_id,given_name,family_name,date_of_birth,gender\n"
        "1,Velinora,Kastemuri,2011-04-09,Female\n"
        "2,Tamsin,Orlavet,09/04/2011,Female\n"
    )
    rep = import_file(path, "htcds", "ngo", tmp_path / "store", strict=True)
    assert not rep.stored and rep.validation.issues[0].row == 1
    rep = validate_file(path, "htcds")  # lenient: the identifier columns are left out, the rest kept
    assert rep.ok and [(i.row, i.action) for i in rep.issues] == [(1, "column ignored")]
    assert rep.columns["given_name"] == "(ignored)" and rep.columns["gender"] == "gender"
    rep = import_file(path, "htcds", "ngo", tmp_path / "store", key=KEY)
    assert rep.stored and rep.encoded_rows == 2
    blob = b"".join(p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file())
    for raw in (b"Velinora", b"velinora", b"Kastemuri", b"kastemuri", b"2011-04-09"):
        assert raw not in blob
    t = pq.read_table(rep.parquet).to_pylist()
    assert t[0]["enc_dob"] == t[1]["enc_dob"] and t[0]["enc_given"] != t[1]["enc_given"]


def test_bad_date_of_birth_is_reported_without_its_value(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("case_id,given_name,date_of_birth\n1,Velinora,2011-13-45\n")
    rep = validate_file(path, "htcds", key=KEY)
    assert [(i.row, i.column) for i in rep.issues] == [(2, "date_of_birth")]
    assert "2011-13-45" not in rep.to_json()


def test_htcds_excel(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["case_id", "year_of_registration", "gender", "citizenship", "isAbduction"])
    ws.append(["X1", 2021, "Female", "KE", 1])
    ws.append([None, None, None, None, None])
    ws.append(["X2", 2020, "Male", "KEN", "maybe"])
    wb.save(tmp_path / "cases.xlsx")
    rep = import_file(tmp_path / "cases.xlsx", "htcds", "ngo", tmp_path / "store", strict=True)
    assert [(i.row, i.column) for i in rep.validation.issues] == [(4, "isAbduction")]
    ws.cell(row=4, column=5, value=0)
    wb.save(tmp_path / "cases.xlsx")
    rep = import_file(tmp_path / "cases.xlsx", "htcds", "ngo", tmp_path / "store")
    assert rep.stored and rep.rows == 2
    assert [r["yearOfRegistration"] for r in records_table(tmp_path / "store").to_pylist()] == [2021, 2020]


def test_damaged_excel_is_reported(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    rep = validate_file(tmp_path / "x.xlsx", "htcds")
    assert rep.issues and rep.issues[0].row == 0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=';\n\r"\x00'), max_size=8), min_size=3, max_size=3))
def test_any_flag_year_or_country_text_is_either_accepted_or_reported(tmp_path_factory, values):
    flag, year, country = values
    path = write_ctdc(
        tmp_path_factory.mktemp("h") / "p.csv",
        [ctdc_row(isAbduction=flag, yearOfRegistration=year, citizenship=country)],
    )
    rep = validate_file(path, "ctdc")
    bad = {i.column for i in rep.issues}
    assert bad <= {"isAbduction", "yearOfRegistration", "citizenship"}
    low = flag.strip().lower()
    ok_flag = low in {"", "-99", "unknown", "na", "n/a", "null", "none", "0", "1", "0.0", "1.0", "-99.0"} | {
        "true",
        "false",
        "yes",
        "no",
        "y",
        "n",
    }
    assert ("isAbduction" in bad) == (not ok_flag)
    assert all(i.row == 2 for i in rep.issues)


def test_export_roundtrip_ctdc(tmp_path):
    from threadline.engines.insights import export_ctdc

    path = write_ctdc(tmp_path / "in.csv", [ctdc_row(), ctdc_row(gender="Male", isAbduction="1")])
    import_file(path, "ctdc", "p", tmp_path / "s1")
    assert export_ctdc(tmp_path / "s1", tmp_path / "out.csv", "ctdc") == 2
    header = (tmp_path / "out.csv").read_text().splitlines()[0].split(",")
    assert header == CTDC_COLUMNS
    rep = import_file(tmp_path / "out.csv", "ctdc", "p", tmp_path / "s2")
    assert rep.stored
    cols = [c for c in records_table(tmp_path / "s1").column_names if c not in {"record_id", "batch_id", "cluster_id"}]
    a = records_table(tmp_path / "s1", cols).to_pylist()
    b = records_table(tmp_path / "s2", cols).to_pylist()
    assert a == b
    assert export_ctdc(tmp_path / "s1", tmp_path / "syn.csv", "ctdc-synthetic") == 2
    assert validate_file(tmp_path / "syn.csv", "ctdc-synthetic").ok


def test_duplicate_case_ids_are_quarantined_keeping_the_first_row(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("case_id,gender\nA,Female\nB,Male\nA,Male\nA,Female\n")
    rep = import_file(path, "htcds", "ngo", tmp_path / "store", rejects=tmp_path / "rejects.csv")
    assert rep.stored and (rep.rows, rep.stored_rows, rep.quarantined) == (4, 2, 2)
    issues = [(i.row, i.action, i.reason) for i in rep.validation.issues]
    assert issues == [(r, QUARANTINED, "the case id appears earlier in the file (row 2)") for r in (4, 5)]
    assert records_table(tmp_path / "store", ["source_row", "gender"]).to_pylist() == [
        {"source_row": 2, "gender": "Female"},
        {"source_row": 3, "gender": "Male"},
    ]
    rejects = (tmp_path / "rejects.csv").read_text().splitlines()
    assert rejects[0] == "row,reason,case_id,gender" and [r.split(",")[0] for r in rejects[1:]] == ["4", "5"]


def test_duplicate_case_ids_refuse_a_strict_import_and_earlier_batches_count(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("case_id,gender\nA,Female\nB,Male\nA,Male\n")
    rep = import_file(path, "htcds", "ngo", tmp_path / "store", strict=True)
    assert not rep.stored and [(i.row, i.action) for i in rep.validation.issues] == [(4, "refused")]
    path.write_text("case_id,gender\nA,Female\nB,Male\n")
    assert import_file(path, "htcds", "ngo", tmp_path / "store").stored
    path.write_text("case_id,gender\nC,Female\nB,Male\n")
    rep = import_file(path, "htcds", "ngo", tmp_path / "store")
    assert [(i.row, i.column) for i in rep.validation.issues] == [(3, "case_id")]
    assert import_file(path, "htcds", "other-ngo", tmp_path / "store").stored  # ids are per source
    assert len(Store(tmp_path / "store").batch_files()) == 2


def test_blank_lines_are_skipped_without_shifting_row_numbers(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("case_id,gender\nA,Female\n\nB,Robot\n\n\n")
    rep = validate_file(path, "htcds")
    assert rep.rows == 2
    assert [(i.row, i.column) for i in rep.issues] == [(4, "gender")]
