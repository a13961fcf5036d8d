"""HTCDS 2.0 export of protection cases for a partner: non-identifying by default; identities only where the
person's sharing consent with that partner and the user's role allow; the file imports into insights."""

import csv
import io

import pytest

from tests.cases import factories as f
from threadline.cases.exports import htcds_export

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


@pytest.fixture
def two_cases(org):
    worker = f.new_user(org)
    partner = f.new_org("Harbour Shelter")
    f.partners(org, partner)
    shared = f.new_case(
        org,
        worker,
        full_name="Synthetic Person",
        date_of_birth="2011-04-09",
        gender="female",
        citizenship="ph",
        exploitation="forced_criminality",
        other_exploitation=["sexual"],
        means_of_control=["Threats"],
    )
    f.consent(shared, worker, "statistics")
    f.consent(shared, worker, "sharing", partner=partner, shares=["summary", "identity"])
    private = f.new_case(org, worker, full_name="Other Synthetic", date_of_birth="2010-01-01", gender="male")
    f.consent(private, worker, "statistics")
    f.consent(private, worker, "sharing", partner=partner, shares=["summary"])
    return worker, partner, shared, private


def test_default_export_has_no_identity_columns(org, two_cases):
    worker, _partner, _shared, _private = two_cases
    data = htcds_export(organisation=org, user=worker)
    rows = _rows(data)
    assert len(rows) == 2 and "prs_FirstName" not in rows[0]
    assert b"Synthetic" not in data and b"2011-04-09" not in data
    first = rows[0]
    assert first["prs_Gender"] == "Feminine" and first["prs_Citizenship"] == "PH"
    assert "SexualExploitation" in first["vic_TypeOfExploitation"] and first["isForcedCriminality"] == "1"
    assert first["vic_MethodsOfControl"] == "PhysicalThreats"


def test_identities_only_where_consent_and_role_allow(org, two_cases):
    worker, partner, _shared, _private = two_cases
    rows = _rows(htcds_export(organisation=org, user=worker, partner=partner))
    assert [r["prs_FirstName"] for r in rows] == ["Synthetic", ""]  # the second person did not agree
    assert rows[0]["prs_SecondName"] == "Person" and rows[0]["prs_Birthdate"] == "2011-04-09"
    assert rows[1]["prs_Birthdate"] == ""
    officer = f.new_user(org, role="data_officer")  # data officers never see identities
    data = htcds_export(organisation=org, user=officer, partner=partner)
    assert b"Synthetic" not in data and "prs_FirstName" not in _rows(data)[0]


def test_the_export_imports_into_insights(org, two_cases, tmp_path):
    from tests.engines.insights.conftest import KEY
    from threadline.engines.insights import import_file, records_table

    worker, partner, _shared, _private = two_cases
    for spreadsheet, name in ((False, "cases.csv"), (True, "cases.xlsx")):
        (tmp_path / name).write_bytes(
            htcds_export(organisation=org, user=worker, partner=partner, spreadsheet=spreadsheet)
        )
        store = tmp_path / f"store-{spreadsheet}"
        rep = import_file(tmp_path / name, "htcds", name.replace(".", "-"), store, key=KEY, strict=True)
        assert rep.stored and rep.encoded_rows == 2, rep.validation.summary()
        back = records_table(store, ["gender", "isForcedCriminality", "enc_given"]).to_pylist()
        assert [r["gender"] for r in back] == ["Female", "Male"] and back[0]["isForcedCriminality"] == 1
        assert back[0]["enc_given"] and back[1]["enc_given"] is None


def test_web_export_is_audited(org, two_cases, signed_in):
    from django.urls import reverse

    from threadline.audit.models import AuditEntry

    _worker, partner, _shared, _private = two_cases
    officer = f.new_user(org, role="data_officer")
    client = signed_in(officer)
    page = client.get(reverse("cases:export"))
    assert b"Harbour Shelter" in page.content
    response = client.get(reverse("cases:export"), {"format": "htcds", "partner": partner.pk})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('-htcds.csv"')
    assert b"Synthetic" not in response.content
    assert AuditEntry.objects.filter(action="export", note__contains="HTCDS").exists()
    response = client.get(reverse("cases:export"), {"format": "htcds-xlsx"})
    assert response.content[:2] == b"PK"
