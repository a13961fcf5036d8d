"""The insights API end to end: upload -> report -> rejects -> accept or cancel, linkage runs, releases and the
dashboards' protected tables (never a record)."""

from __future__ import annotations

import pytest

from tests.insights.conftest import csv_upload, plan_rows
from threadline.audit.models import AuditEntry
from threadline.insights.models import ImportJob

pytestmark = pytest.mark.django_db
API = "/api/v1/insights"


@pytest.fixture
def api(officer, org, api_client):
    return api_client(officer, org)


def _upload(api, rows, *, name="partner.csv", source="partner-a", strict=False):
    body = {"file": csv_upload(rows, name=name), "format": "htcds", "source": source, "strict": strict}
    response = api.post(f"{API}/imports/", body, format="multipart")
    assert response.status_code == 201, response.content
    job = response.json()
    return api.post(f"{API}/imports/{job['id']}/validate/", {}, format="json").json()


def test_duplicates_and_unidentified_rows_are_quarantined_and_served_from_the_validation(api, monkeypatch):
    rows = plan_rows()[:30]
    rows += [["c00003", *rows[2][1:]], ["", *rows[0][1:]]]  # a repeated case id (line 32), no case id (33)
    job = _upload(api, rows)
    assert job["status"] == "valid"
    report = job["report"]
    assert (report["rows"], report["stored_rows"], report["quarantined"]) == (32, 30, 2)
    assert [(i["row"], i["action"]) for i in report["issues"]] == [(32, "row quarantined"), (33, "row quarantined")]
    assert "earlier in the file (row 4)" in report["issues"][0]["reason"]

    from threadline.engines import insights as engine

    monkeypatch.setattr(engine, "validate_file", lambda *a, **k: pytest.fail("the upload is read again"))
    response = api.get(f"{API}/imports/{job['id']}/rejects/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("row,reason,case_id") and [line.split(",")[0] for line in lines[1:]] == ["32", "33"]
    assert AuditEntry.objects.filter(action="export", note__contains="quarantined rows").exists()

    accepted = api.post(f"{API}/imports/{job['id']}/accept/", format="json")
    assert accepted.status_code == 202 and accepted.json()["status"] == "imported"
    assert api.get(f"{API}/imports/{job['id']}/rejects/").status_code == 404  # deleted with the upload
    again = api.post(f"{API}/imports/{job['id']}/accept/", format="json")
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"]


def test_a_strict_upload_with_a_duplicate_is_refused_and_can_be_cancelled(api):
    rows = [*plan_rows()[:5], plan_rows()[0]]
    job = _upload(api, rows, strict=True)
    assert job["status"] == "invalid" and job["report"]["issues"][0]["action"] == "refused"
    assert api.post(f"{API}/imports/{job['id']}/accept/", format="json").status_code == 400
    cancelled = api.post(f"{API}/imports/{job['id']}/cancel/", format="json").json()
    assert cancelled["status"] == "cancelled"
    assert api.get(f"{API}/imports/{job['id']}/rejects/").status_code == 404
    assert ImportJob.objects.get(pk=job["id"]).status == ImportJob.Status.CANCELLED


def test_an_upload_is_refused_with_the_field_named(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"file": SimpleUploadedFile("p.pdf", b"%PDF"), "format": "htcds", "source": "p"}
    response = api.post(f"{API}/imports/", body, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]
    body = {"file": csv_upload(plan_rows()[:3]), "format": "htcds", "source": "no spaces"}
    assert "source" in api.post(f"{API}/imports/", body, format="multipart").json()["errors"]


def test_another_organisations_imports_and_releases_are_not_seen(api, other_org, make_user, api_client):
    theirs = api_client(make_user(other_org, "data_officer"), other_org)
    job = _upload(theirs, plan_rows()[:20])
    assert api.get(f"{API}/imports/").json()["results"] == []
    assert api.get(f"{API}/imports/{job['id']}/").status_code == 404
    assert api.post(f"{API}/imports/{job['id']}/cancel/", format="json").status_code == 404


def test_dashboards_give_protected_tables_only(api, loaded):
    charts = api.get(f"{API}/dashboards/").json()
    assert {c["slug"] for c in charts} >= {"by_year", "flows"}
    body = api.get(f"{API}/dashboards/by_year/").json()
    (table,) = body["tables"]
    assert table["method"] == "suppression" and table["k"] == 11
    counts = [c["count"] for c in table["cells"]]
    assert None in counts and all(c is None or c >= 11 for c in counts)  # small cells are hidden
    assert all(set(c["key"]) == set(table["by"]) for c in table["cells"])
    assert api.get(f"{API}/dashboards/nope/").status_code == 404
    assert api.get(f"{API}/dashboards/by_year/?method=raw").status_code == 400


def test_a_release_is_made_and_published_through_the_protection_services(api, loaded):
    refused = api.post(f"{API}/releases/", {"title": "t", "fields": ["case_id"]}, format="json")
    assert refused.status_code == 400 and "cannot be released" in str(refused.json()["errors"])
    made = api.post(f"{API}/releases/", {"title": "By gender", "fields": ["gender"], "k": 11}, format="json")
    assert made.status_code == 201, made.content
    release = made.json()
    assert release["table"]["by"] == ["gender"] and release["published"] is False
    published = api.post(f"{API}/releases/{release['id']}/publish/", {"published": True}, format="json").json()
    assert published["published"] is True and published["published_at"]


def test_a_linkage_run_is_started_and_followed(api, loaded):
    response = api.post(f"{API}/linkage-runs/", {"threshold": 0.95}, format="json")
    assert response.status_code == 202
    run = response.json()
    assert run["threshold"] == 0.95 and run["status"] in {"queued", "running", "succeeded", "failed"}
    assert [r["id"] for r in api.get(f"{API}/linkage-runs/").json()["results"]] == [run["id"]]


def test_an_import_that_ended_cannot_be_validated_again(api):
    job = _upload(api, plan_rows()[:20])
    api.post(f"{API}/imports/{job['id']}/cancel/", format="json")
    response = api.post(f"{API}/imports/{job['id']}/validate/", {}, format="json")
    assert response.status_code == 400
    assert "cannot be validated again" in response.json()["errors"]["non_field_errors"][0]
    assert ImportJob.objects.get(pk=job["id"]).status == ImportJob.Status.CANCELLED
