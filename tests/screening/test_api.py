"""API: list, detail (audited) and create-with-answers, scoped like the pages."""

from __future__ import annotations

import pytest

from tests.screening import factories

pytestmark = pytest.mark.django_db


def test_create_with_answers_returns_the_explained_result(org, make_user, api_client):
    worker = make_user(org, "caseworker")
    api = api_client(worker, org)
    response = api.post(
        "/api/v1/screenings/",
        {"instrument": factories.CHILD_SEXUAL, "age_group": "child", "answers": factories.PRESUMED_CHILD_ANSWERS},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "presumed_victim"
    assert body["outcome_label"] == "presumed victim — reasonable grounds"
    assert body["instrument_id"] == factories.CHILD_SEXUAL and body["instrument_version"]
    assert body["positive_dimensions"] == ["deceptive_recruitment", "exploitation"]
    assert "notes" not in body

    listed = api.get("/api/v1/screenings/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert "answers" not in listed["results"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"instrument": "nope", "age_group": "child", "answers": {}}, "instrument"),
        ({"instrument": factories.CHILD_SEXUAL, "age_group": "child", "answers": {"x": "yes"}}, "answers"),
        (
            {"instrument": factories.CHILD_SEXUAL, "age_group": "child", "answers": {"hazardous_work": "maybe"}},
            "answers",
        ),
        ({"instrument": factories.CHILD_SEXUAL, "age_group": "teen", "answers": {}}, "age_group"),
    ],
)
def test_bad_requests_are_400(org, make_user, api_client, payload, field):
    response = api_client(make_user(org, "caseworker"), org).post("/api/v1/screenings/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_detail_read_is_audited_and_other_organisations_are_404(org, other_org, make_user, api_client):
    from threadline.audit.models import AuditEntry

    worker = make_user(org, "caseworker")
    mine = factories.completed(org, worker)
    foreign = factories.completed(other_org, make_user(other_org, "caseworker"))
    api = api_client(worker, org)
    body = api.get(f"/api/v1/screenings/{mine.pk}/").json()
    assert body["answers"] == factories.PRESUMED_CHILD_ANSWERS and body["result"]["outcome"] == "presumed_victim"
    assert AuditEntry.objects.filter(object_type="screening.screening", object_id=str(mine.pk), action="view").exists()
    assert api.get(f"/api/v1/screenings/{foreign.pk}/").status_code == 404
