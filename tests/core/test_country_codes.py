"""Country fields hold ISO 3166 alpha-2 codes only, whichever way they are written (issue #18, item 11)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.cases import factories as f
from threadline.cases.forms import _country

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["=1", "ZZ", "ÄÖ", "1A"])
def test_case_api_refuses_what_is_not_a_country(org, api_client, value):
    api = api_client(f.new_user(org), org)
    for field in ("citizenship", "country_of_exploitation", "transit_countries"):
        body = {"child_status": "child", field: value}
        response = api.post("/api/v1/cases/", body, format="json")
        assert response.status_code == 400 and field in response.json()["errors"], (field, response.content)
    ok = api.post("/api/v1/cases/", {"child_status": "child", "citizenship": "UA", "transit_countries": "PL,RO"},
                  format="json")  # fmt: skip
    assert ok.status_code == 201, ok.content


@pytest.mark.parametrize("value", ["=1", "ZZ", "ÄÖ"])
def test_forms_and_services_refuse_it(value):
    from threadline.accounts.services import organisation_create

    with pytest.raises(ValidationError):
        _country(value)
    with pytest.raises(ValidationError):
        organisation_create(name=f"Agency {value}", country=value)
    assert _country(" gb") == "GB"
    assert organisation_create(name="Agency ok", country="gb").country == "GB"
