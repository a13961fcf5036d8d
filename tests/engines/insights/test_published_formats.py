"""The published formats as published: one fixture per edition, shaped like the downloaded file (header,
delimiter, column order, value forms), written by us from the CTDC codebooks and the HTCDS 2.0 field reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadline.engines.insights import import_file, records_table, validate_file
from threadline.engines.insights.importers.vocabulary import htcds, htcds_fields

from .conftest import KEY

FIXTURES = Path(__file__).parent / "fixtures"


def _records(store) -> list[dict]:
    return sorted(records_table(store).to_pylist(), key=lambda r: r["source_row"])


def test_ctdc_global_2020_as_downloaded(tmp_path):
    """Comma-delimited, terms-of-use sentence in the first header cell, CountryOfExploitation before the
    recruiterRelation columns, codes 00 / AN / ZR / -99."""
    path = FIXTURES / "ctdc_global_2020.csv"
    rep = import_file(path, "ctdc", "ctdc-2020", tmp_path / "store", strict=True)
    assert rep.stored, rep.validation.summary()
    assert rep.rows == 6 and not rep.validation.issues
    t = _records(tmp_path / "store")
    assert [r["citizenship"] for r in t] == [None, "UA", "AN", "ZR", "KH", None]  # 00 is unknown
    assert [r["CountryOfExploitation"] for r in t] == [None, "RU", "US", "ZR", "TH", "US"]
    assert t[0]["yearOfRegistration"] == 2016 and t[0]["isSexualExploit"] == 1 and t[0]["isForcedLabour"] == 0
    assert t[2]["ageBroad"] is None and t[2]["majorityStatus"] is None  # -99
    assert t[1]["RecruiterRelationship"] == "Friend" and t[1]["recruiterRelationFriend"] == 1
    assert t[5]["gender"] == "Transgender/NonConforming"


def test_ctdc_terms_of_use_as_its_own_cell_and_semicolons(tmp_path):
    import csv

    with open(FIXTURES / "ctdc_global_2020.csv", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    sentence, first = header[0].rsplit(" ", 1)
    with open(tmp_path / "c.csv", "w", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow([sentence, first, *header[1:]])
        writer.writerows(["", *r] for r in rows)
    rep = validate_file(tmp_path / "c.csv", "ctdc", strict=True)
    assert rep.ok and rep.rows == 6, rep.summary()


@pytest.mark.parametrize("edition", ["v2024", "v2025"])
def test_ctdc_synthetic_codebook_values(tmp_path, edition):
    rep = import_file(FIXTURES / f"ctdc_synthetic_{edition}.csv", "ctdc-synthetic", "syn", tmp_path / "s", strict=True)
    assert rep.stored, rep.validation.summary()
    t = {r["yearOfRegistration"]: r for r in records_table(tmp_path / "s").to_pylist()}
    assert t[2021]["ageBroad"] == "9--17" and t[2021]["gender"] == "Female" and t[2021]["citizenship"] == "PH"
    assert t[2021]["traffickMonths"] == "0--12" and t[2019]["traffickMonths"] == "13--24"
    assert t[2015]["traffickMonths"] == "25+" and t[2015]["gender"] == "Transgender/NonConforming"
    assert t[2019]["gender"] == "Male" and t[2019]["citizenship"] == "UA" and t[2019]["CountryOfExploitation"] == "PL"
    assert t[2019]["meansDebtBondageEarnings"] == 1 and t[2019]["meansThreats"] is None  # 1 or empty
    assert t[2022]["ageBroad"] == "0--8" and t[2022]["traffickMonths"] is None


def test_htcds_2_by_its_own_names_values_and_labels(tmp_path):
    path = FIXTURES / "htcds_2.0.csv"
    rep = import_file(path, "htcds", "ngo", tmp_path / "store", key=KEY)
    assert rep.stored, rep.validation.summary()
    assert rep.validation.columns["prs_Email"] == "(ignored)" and rep.validation.columns["prs_Gender"] == "gender"
    # the one problem is the typo'd date of birth: set to missing, reported without its value, row kept
    assert [(i.row, i.column, i.action, i.value) for i in rep.validation.issues] == [
        (5, "prs_Birthdate", "set to missing", None)
    ]
    assert rep.stored_rows == 5
    t = _records(tmp_path / "store")
    assert [r["gender"] for r in t] == [
        "Female",
        "Male",
        "Transgender/NonConforming",
        None,
        "Transgender/NonConforming",
    ]
    assert [r["citizenship"] for r in t] == ["PH", "UA", "NG", "KH", "VN"]
    assert [r["RecruiterRelationship"] for r in t] == ["Friend", "Family", "Other", None, None]
    a, b, c, d, e = t
    assert a["meansOfControlThreats"] == 1 and a["meansOfControlThreatOfLawEnforcement"] == 1
    assert a["meansOfControlDebtBondage"] == 0 and a["isSexualExploit"] == 1 and a["isForcedLabour"] == 0
    assert a["typeOfSexPornography"] == 1 and a["typeOfSexRemoteInteractiveServices"] == 1
    assert b["isForcedLabour"] == 1 and b["typeOfLabourBegging"] == 1 and b["typeOfLabourConstruction"] == 1
    assert b["meansOfControlPsychoactiveSubstances"] == 1
    assert c["isForcedLabour"] == 1 and c["isSlaveryAndPractices"] == 1 and c["typeOfLabourAgriculture"] == 1
    assert c["meansOfControlWithholdsDocuments"] == 1 and c["meansOfControlThreatOfLawEnforcement"] == 1
    assert d["isOtherExploit"] == 1 and d["isForcedMarriage"] == 1 and d["meansOfControlUsesChildren"] == 1
    assert d["enc_dob"] is None and d["enc_given"]  # the bad date is missing, the names still encoded
    assert e["isForcedMilitary"] == 1 and e["isOrganRemoval"] == 1 and e["typeOfLabourPeddling"] == 1
    blob = b"".join(p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert b"Amarel" not in blob and b"example.org" not in blob and b"19450493" not in blob


def test_every_official_picklist_value_name_and_label_is_understood(tmp_path):
    """All value names and labels of the HTCDS 2.0 picklists the store keeps map to a canonical value."""
    lines = [
        "case_id,prs_Gender,vic_RelationshipToTrafficker,vic_MethodsOfControl,vic_TypeOfExploitation,"
        "vic_TypeOfSexExploitation,vic_ForcedLabourIndustry"
    ]
    columns = lines[0].split(",")[1:]
    n = 0
    for col in columns:
        for name, label in htcds_fields()[col]["values"]:
            for value in (name, label, label.upper()):
                n += 1
                cells = ["" for _ in columns]
                cells[columns.index(col)] = f'"{value}"'
                lines.append(f"c{n}," + ",".join(cells))
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    rep = validate_file(tmp_path / "p.csv", "htcds", strict=True)
    assert rep.ok and rep.rows == n, rep.summary()


def _official_template(path: Path, rows: list[dict[str, str]]) -> Path:
    """The HTCDS 2.0 Excel template's layout: a blank-headed row-number column, the field names, a second
    row of labels, one blank header cell (Reason for Outgoing Referral), numbered empty rows below the data."""
    import openpyxl

    spec = htcds()
    columns = spec["template"]["columns"]
    labels = [spec["fields"][c]["label"] for c in columns]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, *[None if c == "cas_ReasonForOutgoingReferral" else c for c in columns]])
    ws.append([None, *labels])
    for number in range(1, len(rows) + 6):
        data = rows[number - 1] if number <= len(rows) else {}
        ws.append([number, *[data.get(c) for c in columns]])
    wb.save(path)
    return path


def test_htcds_official_excel_template(tmp_path):
    rows = [
        {
            "prs_FirstName": "Amarel",
            "prs_Gender": "Feminine",
            "prs_Citizenship": "PH;US",
            "vic_TypeOfExploitation": "ChildLabour;ForcedBegging",
            "cas_ReasonForOutgoingReferral": "Other",
        },
        {
            "prs_FirstName": "Borin",
            "prs_Birthdate": "2009-05-01",
            "prs_Gender": "Masculine",
            "vic_MethodsOfControl": "Physical threats;Psychoactive substance",
        },
        {"prs_Gender": "Masculine"},  # kept: not linked (no name nor date of birth)
    ]
    path = _official_template(tmp_path / "template.xlsx", rows)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active.cell(row=6, column=45, value="stray")  # a cell beyond the template's columns: quarantined
    wb.save(path)
    rep = import_file(path, "htcds", "ngo", tmp_path / "store", key=KEY, rejects=tmp_path / "rejects.csv")
    assert rep.stored, rep.validation.summary()
    assert rep.rows == 4 and rep.stored_rows == 3 and rep.quarantined == 1
    assert [(i.row, i.action) for i in rep.validation.issues] == [(6, "row quarantined")]  # rows 1-2: header, labels
    assert rep.validation.columns["cas_ReasonForOutgoingReferral"] == "(ignored)"
    assert rep.validation.columns["(column 1)"] == "(ignored)"
    t = _records(tmp_path / "store")
    assert [r["source_row"] for r in t] == [3, 4, 5]
    assert t[2]["gender"] == "Male" and t[2]["enc_given"] is None
    assert t[0]["gender"] == "Female" and t[0]["citizenship"] == "PH" and t[0]["typeOfLabourBegging"] == 1
    assert t[1]["meansOfControlThreats"] == 1 and t[1]["meansOfControlPsychoactiveSubstances"] == 1
    assert "6,values beyond the 39 header columns" in (tmp_path / "rejects.csv").read_text()


def test_official_template_headers_are_all_recognised(tmp_path):
    path = _official_template(tmp_path / "empty.xlsx", [{"prs_FirstName": "A"}])
    rep = validate_file(path, "htcds", key=KEY, strict=True)
    assert rep.ok, rep.summary()
    assert len(rep.columns) == 39


def test_unknown_vocabulary_is_kept_as_other_and_reported_with_its_value(tmp_path):
    (tmp_path / "h.csv").write_text(
        "case_id,vic_MethodsOfControl,vic_RelationshipToTrafficker,prs_Gender\n"
        "A,DebtBondage;Blackmail,Neighbour,Feminine\n"
        "B,,,Xyz\n"
    )
    rep = import_file(tmp_path / "h.csv", "htcds", "ngo", tmp_path / "store")
    assert rep.stored
    found = {(i.row, i.column): (i.action, i.value) for i in rep.validation.issues}
    assert found == {
        (2, "vic_MethodsOfControl"): ("kept as Other", "Blackmail"),
        (2, "vic_RelationshipToTrafficker"): ("kept as Other", "Neighbour"),
        (3, "prs_Gender"): ("set to missing", "Xyz"),  # gender has no Other category
    }
    a, b = _records(tmp_path / "store")
    assert a["meansOfControlDebtBondage"] == 1 and a["meansOfControlOther"] == 1
    assert a["RecruiterRelationship"] == "Other" and a["gender"] == "Female"
    assert b["gender"] is None and b["meansOfControlOther"] is None


def test_synonyms_case_spaces_and_spellings(tmp_path):
    (tmp_path / "h.csv").write_text(
        "case_id,gender,ageBroad,traffickMonths,RecruiterRelationship,Datasource\n"
        "A, WOMAN ,09--17,0--12 (0-1 yr),intimate partner,case management\n"
        "B,transgender feminine,48+,25+ (2+ yrs),FAMILIAL,HOTLINE\n"
    )
    rep = import_file(tmp_path / "h.csv", "htcds", "ngo", tmp_path / "store", strict=True)
    assert rep.stored, rep.validation.summary()
    a, b = _records(tmp_path / "store")
    assert (a["gender"], a["ageBroad"], a["traffickMonths"], a["RecruiterRelationship"], a["Datasource"]) == (
        "Female",
        "9--17",
        "0--12",
        "Intimate Partner",
        "Case Management",
    )
    assert (b["gender"], b["ageBroad"], b["RecruiterRelationship"], b["Datasource"]) == (
        "Transgender/NonConforming",
        "48+",
        "Family",
        "Hotline",
    )


def test_official_template_saved_as_csv(tmp_path):
    """The template saved as CSV keeps its row-number column and its row of labels."""
    import csv

    import openpyxl

    rows = [{"prs_Gender": "Transgender Masculine", "vic_MethodsOfControl": "Debt bondage;Takes earnings"}]
    book = openpyxl.load_workbook(_official_template(tmp_path / "t.xlsx", rows))
    with open(tmp_path / "t.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in r] for r in book.active.iter_rows(values_only=True)])
    rep = import_file(tmp_path / "t.csv", "htcds", "ngo", tmp_path / "store", key=KEY, strict=True)
    assert rep.stored and rep.rows == 1, rep.validation.summary()
    (record,) = _records(tmp_path / "store")
    assert record["source_row"] == 3 and record["gender"] == "Transgender/NonConforming"
    assert record["meansOfControlDebtBondage"] == 1 and record["meansOfControlTakesEarnings"] == 1
