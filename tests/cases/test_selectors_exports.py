"""Statistics rows for the insights area, the data officers' export and the person's access export."""

import io
import json

import pytest

from tests.cases import factories as f
from threadline.cases import selectors
from threadline.cases.exports import access_export_zip, statistics_csv, statistics_xlsx

pytestmark = pytest.mark.django_db


def test_statistics_rows_only_for_consenting_cases_and_never_identifying(org):
    worker = f.new_user(org)
    yes = f.new_case(
        org,
        worker,
        gender="female",
        age_at_registration=15,
        citizenship="ro",
        country_of_exploitation="GB",
        exploitation="forced_criminality",
        other_exploitation=["sexual"],
        means_of_control=["Threats", "DebtBondage"],
        recruiter_relation="Friend",
    )
    f.consent(yes, worker, "statistics")
    refused = f.new_case(org, worker)
    f.consent(refused, worker, "statistics", granted=False)
    revoked = f.new_case(org, worker)
    from threadline.cases.services import consent_revoke

    consent_revoke(consent=f.consent(revoked, worker, "statistics"), user=worker)
    f.new_case(org, worker)  # never asked
    rows = list(selectors.case_statistics_rows(organisation=org))
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == set(selectors.STATISTICS_COLUMNS)
    assert row["gender"] == "Female" and row["ageBroad"] == "9--17" and row["majorityStatus"] == "Minor"
    assert row["citizenship"] == "RO" and row["CountryOfExploitation"] == "GB"
    assert row["meansOfControlThreats"] == 1 and row["meansOfControlDebtBondage"] == 1
    assert row["meansOfControlPhysicalAbuse"] == 0 and row["meansOfControlNotSpecified"] == 0
    assert row["isSexualExploit"] == 1 and row["isOtherExploit"] == 1 and row["isForcedCriminality"] == 1
    assert row["recruiterRelationFriend"] == 1 and row["recruiterRelationFamily"] == 0
    text = json.dumps(rows)
    assert "Synthetic" not in text and yes.code not in text


@pytest.mark.parametrize(
    ("age", "band"), [(None, "Unknown"), (0, "0--8"), (17, "9--17"), (18, "18--20"), (47, "39--47"), (80, "48+")]
)
def test_age_bands_follow_ctdc(age, band):
    assert selectors.age_broad(age) == band


def test_csv_and_excel_exports(org):
    from openpyxl import load_workbook

    worker = f.new_user(org)
    case = f.new_case(org, worker, exploitation="forced_marriage")
    f.consent(case, worker, "statistics")
    text = statistics_csv(organisation=org).decode()
    header, _line = text.strip().split("\n")
    assert header.split(";") == selectors.STATISTICS_COLUMNS
    assert "Synthetic" not in text
    book = load_workbook(io.BytesIO(statistics_xlsx(organisation=org)))
    rows = list(book["cases"].values)
    assert list(rows[0]) == selectors.STATISTICS_COLUMNS and len(rows) == 2


def test_access_export_is_an_encrypted_zip_with_json_and_pdf(org):
    import pyzipper

    worker = f.new_user(org)
    case = f.new_case(org, worker, full_name="Synthetic Person Zed")
    f.consent(case, worker, "services")
    payload = access_export_zip(case=case, password="correct horse battery")
    assert b"Synthetic Person Zed" not in payload
    with pyzipper.AESZipFile(io.BytesIO(payload)) as zf:
        with pytest.raises(RuntimeError):
            zf.read("record.json")
        zf.setpassword(b"correct horse battery")
        record = json.loads(zf.read("record.json"))
        pdf = zf.read("record.pdf")
    assert record["case"]["full_name"] == "Synthetic Person Zed"
    assert record["case"]["code"] == case.code
    assert record["consents"][0]["scope"]
    assert pdf.startswith(b"%PDF")


def test_statistics_csv_is_safe_in_a_spreadsheet(org, monkeypatch):
    from tests.csv_safety import HOSTILE, assert_spreadsheet_safe
    from threadline.cases import exports

    row = dict.fromkeys(selectors.STATISTICS_COLUMNS, "")
    row[selectors.STATISTICS_COLUMNS[1]] = HOSTILE[0]
    monkeypatch.setattr(exports, "case_statistics_rows", lambda organisation: [row])
    assert_spreadsheet_safe(statistics_csv(organisation=org).decode(), ";", must_contain=(HOSTILE[0],))
