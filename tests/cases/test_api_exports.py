"""API referral flow and the data officers' export, end to end through HTTP."""

import pytest

from tests.cases import factories as f
from threadline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_api_referral_beyond_consent_is_refused_and_within_consent_is_answered(org, other_org, make_user, api_client):
    worker = make_user(org, "caseworker")
    receiver = make_user(other_org, "caseworker")
    f.partners(org, other_org)
    case = f.new_case(org, worker)
    api = api_client(worker, org)
    body = {"case": case.pk, "to_organisation": other_org.pk, "reason": "Shelter", "shares": ["summary"]}
    assert api.post("/api/v1/referrals/", body, format="json").status_code == 403
    f.consent(case, worker, "sharing", partner=other_org, shares=["summary"])
    created = api.post("/api/v1/referrals/", body, format="json")
    assert created.status_code == 201
    inbox = api_client(receiver, other_org)
    listed = inbox.get("/api/v1/incoming-referrals/").json()["results"]
    assert [r["id"] for r in listed] == [created.json()["id"]]
    assert "shared_identity" not in listed[0] and "Synthetic" not in str(listed[0])
    answer = inbox.post(f"/api/v1/incoming-referrals/{listed[0]['id']}/answer/", {"decision": "accept"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    # The sender cannot answer its own referral: it is not in its inbox.
    again = api.post(f"/api/v1/incoming-referrals/{listed[0]['id']}/answer/", {"decision": "reject"}, format="json")
    assert again.status_code in (403, 404)


def test_data_officer_downloads_csv_and_excel_of_consenting_cases_only(org, other_org, make_user, signed_in):
    officer = make_user(org, "data_officer")
    worker = make_user(org, "caseworker")
    mine = f.new_case(org, worker, exploitation="illegal_adoption")
    f.consent(mine, worker, "statistics")
    foreign = f.new_case(other_org)
    f.consent(foreign, f.new_user(other_org), "statistics")
    client = signed_in(officer, org)
    csv_text = client.get("/cases/export/", {"format": "csv"}).content.decode()
    lines = csv_text.strip().split("\n")
    assert len(lines) == 2 and "illegal_adoption" in lines[1]
    xlsx = client.get("/cases/export/", {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export", note__startswith="non-identifying").count() == 2
    # The data officer sees no case pages.
    assert client.get(f"/cases/{mine.pk}/").status_code == 403
