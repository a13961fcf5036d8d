"""The API names other organisations only among the organisation's referral partners, as the pages do."""

from __future__ import annotations

import pytest

from tests.cases import factories as f
from threadline.cases.models import Consent

pytestmark = pytest.mark.django_db


def test_sharing_consent_with_an_organisation_that_is_not_a_partner_is_refused(org, other_org, make_user, api_client):
    user = make_user(org, "caseworker")
    case = f.new_case(org, user)
    body = {"case": case.pk, "scope": "sharing", "partner": other_org.pk, "shares": ["summary"],
            "informed_on": "2026-01-05", "language": "English", "given_by": "person"}  # fmt: skip
    response = api_client(user, org).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 400 and "partner" in response.json()["errors"]
    assert not Consent.objects.filter(partner=other_org).exists()
    f.partners(org, other_org)
    response = api_client(user, org).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 201, response.content
