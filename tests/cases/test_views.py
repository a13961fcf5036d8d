"""Pages: hide name in lists, identity reads audited, consent refusals shown, cross-organisation 404."""

import pytest
from django.urls import reverse

from tests.cases import factories as f
from threadline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_list_hides_names_and_filters(org, make_user, signed_in):
    user = make_user(org, "caseworker")
    child = f.new_case(org, user, full_name="Synthetic Hidden Name", exploitation="sexual")
    adult = f.new_case(org, user, child_status="adult", exploitation="forced_labour")
    client = signed_in(user, org)
    page = client.get(reverse("cases:list")).content.decode()
    assert child.code in page and adult.code in page and "Synthetic Hidden Name" not in page
    page = client.get(reverse("cases:list"), {"exploitation": "forced_labour"}).content.decode()
    assert adult.code in page and child.code not in page
    page = client.get(reverse("cases:list"), {"q": child.code[:6].lower()}).content.decode()
    assert child.code in page


def test_detail_does_not_show_identity_and_identity_read_is_audited(org, make_user, signed_in):
    user = make_user(org, "caseworker")
    case = f.new_case(org, user, full_name="Synthetic Hidden Name")
    client = signed_in(user, org)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Synthetic Hidden Name" not in page and "Recovery and reflection period" in page
    before = AuditEntry.objects.filter(action="view", object_id=str(case.pk)).count()
    page = client.get(reverse("cases:identity", args=[case.pk])).content.decode()
    assert "Synthetic Hidden Name" in page
    assert AuditEntry.objects.filter(action="view", object_id=str(case.pk)).count() == before + 1
    assert AuditEntry.objects.filter(note="identifying data", object_id=str(case.pk)).exists()


def test_service_form_shows_the_consent_refusal(org, make_user, signed_in):
    user = make_user(org, "caseworker")
    case = f.new_case(org, user)
    response = signed_in(user, org).post(
        reverse("cases:service_add", args=[case.pk]),
        {"kind": "shelter", "provider": "Shelter", "start_on": "2026-01-10", "status": "planned"},
    )
    assert response.status_code == 200
    assert "has not agreed" in response.content.decode()


def test_api_service_without_consent_is_refused_and_api_has_no_identity(org, make_user, api_client):
    user = make_user(org, "caseworker")
    case = f.new_case(org, user, full_name="Synthetic Hidden Name")
    api = api_client(user, org)
    response = api.post("/api/v1/case-services/", {"case": case.pk, "kind": "shelter", "provider": "P"}, format="json")
    assert response.status_code == 403
    body = api.get(f"/api/v1/cases/{case.pk}/").content.decode()
    assert case.code in body and "Synthetic" not in body


def test_api_cannot_attach_to_another_organisations_case(org, other_org, make_user, api_client):
    user = make_user(org, "caseworker")
    foreign = f.new_case(other_org)
    api = api_client(user, org)
    response = api.post(
        "/api/v1/consents/",
        {"case": foreign.pk, "scope": "services", "informed_on": "2026-01-05", "language": "English"},
        format="json",
    )
    assert response.status_code == 400


def test_access_export_download_is_audited(org, make_user, signed_in):
    user = make_user(org, "caseworker")
    case = f.new_case(org, user)
    response = signed_in(user, org).post(
        reverse("cases:access_export", args=[case.pk]), {"password": "long enough password"}
    )
    assert response["Content-Type"] == "application/zip"
    assert AuditEntry.objects.filter(action="export", object_id=str(case.pk)).exists()
