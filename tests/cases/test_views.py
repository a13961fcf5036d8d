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


def test_code_prefix_search_matches_only_that_prefix(org, make_user):
    from threadline.cases.models import Case
    from threadline.cases.selectors import code_prefix_q

    user = make_user(org, "caseworker")
    cases = [f.new_case(org, user) for _ in range(4)]
    for case in cases:
        for length in (3, 6, 9, 11):
            found = set(Case.objects.filter(code_prefix_q(case.code[:length].lower())).values_list("code", flat=True))
            assert case.code in found
            assert all(code.startswith(case.code[:length]) for code in found)


def test_list_count_is_capped(org, make_user, signed_in, monkeypatch):
    from threadline.cases import pagination

    monkeypatch.setattr(pagination.CappedPaginator, "cap", 3)
    monkeypatch.setattr("threadline.cases.views.CaseListView.paginate_by", 2)
    user = make_user(org, "caseworker")
    for _ in range(5):
        f.new_case(org, user)
    page = signed_in(user, org).get(reverse("cases:list")).content.decode()
    assert "of more than 2" in page


def test_views_beside_a_decision_are_an_audited_read(org, make_user, signed_in):
    from threadline.cases.services import child_view_record

    user = make_user(org, "caseworker")
    case = f.new_case(org, user)
    child_view_record(case=case, user=user, text="Wants to call her sister.", topic="services")
    page = signed_in(user, org).get(reverse("cases:service_add", args=[case.pk])).content.decode()
    assert "Wants to call her sister." in page
    assert AuditEntry.objects.filter(note="views and wishes", object_id=str(case.pk)).exists()
