"""API of what was page-only in cases: a case's cooperation section and the referral partners."""

from __future__ import annotations

import pytest

from tests.cases import factories as f

pytestmark = pytest.mark.django_db


def _cooperation_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/cooperation/"


def test_cooperation_is_read_and_updated_and_its_notes_never_leave(org, make_user, api_client):
    from threadline.audit.models import AuditEntry
    from threadline.cases.models import Cooperation

    worker = make_user(org, "caseworker")
    case = f.new_case(org, worker)
    api = api_client(worker, org)

    fresh = api.get(_cooperation_url(case)).json()
    assert fresh == {"stance": "not_discussed", "authority": "", "proceedings": "", "has_notes": False,
                     "updated_on": None}  # fmt: skip
    assert AuditEntry.objects.filter(object_id=str(case.pk), action="view", note="api: cooperation").exists()

    saved = api.put(_cooperation_url(case), {"stance": "considering", "notes": "Meets the lawyer"}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["stance"] == "considering" and saved.json()["has_notes"] is True
    assert "notes" not in saved.json() and b"lawyer" not in saved.content

    # fields left out keep their value
    again = api.put(_cooperation_url(case), {"stance": "declined", "proceedings": "None"}, format="json").json()
    assert again["stance"] == "declined" and again["has_notes"] is True
    assert Cooperation.objects.get(case=case).notes == "Meets the lawyer"


def test_cooperation_with_an_authority_needs_the_persons_consent(org, make_user, api_client):
    from threadline.cases.models import Cooperation

    worker = make_user(org, "caseworker")
    case = f.new_case(org, worker)
    api = api_client(worker, org)
    body = {"stance": "cooperating", "authority": "City police"}
    refused = api.put(_cooperation_url(case), body, format="json")
    assert refused.status_code == 403
    assert "law enforcement" in refused.json()["errors"]["non_field_errors"][0]
    assert not Cooperation.objects.filter(case=case).exists()

    f.consent(case, worker, "law_enforcement")
    assert api.put(_cooperation_url(case), body, format="json").status_code == 200


def test_a_bad_stance_is_a_field_error(org, make_user, api_client):
    worker = make_user(org, "caseworker")
    case = f.new_case(org, worker)
    response = api_client(worker, org).put(_cooperation_url(case), {"stance": "maybe"}, format="json")
    assert response.status_code == 400 and "stance" in response.json()["errors"]


def test_administrator_manages_referral_partners_and_caseworkers_can_then_refer(org, make_user, api_client):
    from threadline.cases.services import referral_targets

    admin = api_client(make_user(org, "administrator"), org)
    partner = f.new_org()
    added = admin.post("/api/v1/referral-partners/", {"partner": partner.pk}, format="json")
    assert added.status_code == 201 and added.json()["partner_name"] == partner.name
    assert list(referral_targets(organisation=org)) == [partner]
    # adding the same partner again keeps the one row
    assert (
        admin.post("/api/v1/referral-partners/", {"partner": partner.pk}, format="json").json()["id"]
        == (added.json()["id"])
    )
    assert [p["partner"] for p in admin.get("/api/v1/referral-partners/").json()["results"]] == [partner.pk]

    assert admin.delete(f"/api/v1/referral-partners/{added.json()['id']}/").status_code == 204
    assert not referral_targets(organisation=org).exists()


def test_an_organisation_is_not_its_own_partner(org, make_user, api_client):
    admin = api_client(make_user(org, "administrator"), org)
    response = admin.post("/api/v1/referral-partners/", {"partner": org.pk}, format="json")
    assert response.status_code == 400 and "partner" in response.json()["errors"]
