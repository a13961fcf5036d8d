"""Another organisation's object, refused by restrict(), is audited in the owner's log; the requester sees a 404."""

from __future__ import annotations

import pytest

from tests.cases import factories as f
from threadline.audit.models import AuditEntry
from threadline.cases.models import Case
from threadline.core import context

pytestmark = pytest.mark.django_db


def _refusals():
    return AuditEntry.objects.filter(action="denied", note="refused read")


def test_a_page_for_another_organisations_case_is_404_and_audited_for_the_owner(org, other_org, make_user, signed_in):
    user = make_user(org, "caseworker")
    foreign = f.new_case(other_org)
    response = signed_in(user, org).get(f"/cases/{foreign.pk}/")
    assert response.status_code == 404
    entry = _refusals().get()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (user.pk, "cases.case", str(foreign.pk))
    assert entry.organisation_id == other_org.pk, "kept from the requester's own log"
    assert entry.via == "web" and entry.request_id


def test_an_api_read_of_another_organisations_case_is_404_and_audited(org, other_org, make_user, api_client):
    user = make_user(org, "caseworker")
    foreign = f.new_case(other_org)
    response = api_client(user, org).get(f"/api/v1/cases/{foreign.pk}/")
    assert response.status_code == 404 and response.json()["errors"] == {"non_field_errors": ["Not found."]}
    entry = _refusals().get()
    assert (entry.object_id, entry.organisation_id, entry.via) == (str(foreign.pk), other_org.pk, "api")


def test_naming_another_organisations_object_in_a_field_is_audited(org, other_org, make_user, api_client):
    user = make_user(org, "caseworker")
    foreign = f.new_case(other_org)
    body = {"case": foreign.pk, "scope": "services", "informed_on": "2026-01-05", "language": "English"}
    assert api_client(user, org).post("/api/v1/consents/", body, format="json").status_code == 400
    assert _refusals().filter(object_type="cases.case", object_id=str(foreign.pk)).count() == 1


def test_a_missing_object_or_ones_own_is_not_a_refusal(org, make_user, signed_in):
    user = make_user(org, "caseworker")
    own = f.new_case(org, user)
    client = signed_in(user, org)
    assert client.get("/cases/999999/").status_code == 404
    assert client.get(f"/cases/{own.pk}/").status_code == 200
    assert not _refusals().exists()


def test_one_entry_per_refused_object_per_request(org, other_org, make_user):
    user = make_user(org, "caseworker")
    foreign = f.new_case(other_org)
    with context.bind(context.RequestContext(request_id="r" * 32, user_id=user.pk, organisation_id=org.pk)):
        for _ in range(50):
            with pytest.raises(Case.DoesNotExist):
                Case.objects.restrict(user, "view", org).get(pk=foreign.pk)
    second = context.RequestContext(request_id="s" * 32, user_id=user.pk, organisation_id=org.pk)
    with context.bind(second), pytest.raises(Case.DoesNotExist):
        Case.objects.restrict(user, "view", org).select_related().filter(code=foreign.code).get()
    assert _refusals().count() == 2
