"""Uploading partner files: column mapping, validation report before anything is stored, import."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.insights.conftest import HEADER, csv_upload, plan_rows

pytestmark = pytest.mark.django_db


def _store(org):
    from threadline.insights.stores import store_for

    return store_for(org)


def test_upload_map_validate_import(officer_client, org):
    response = officer_client.post(
        reverse("insights:imports"),
        {"file": csv_upload(plan_rows()), "format": "htcds", "source": "partner-a"},
    )
    assert response.status_code == 302
    detail = officer_client.get(response["Location"])
    assert b"Column mapping" in detail.content
    assert not _store(org).batch_files(), "nothing is stored before validation and import"

    from threadline.insights.models import ImportJob

    job = ImportJob.objects.get()
    data = {f"col_{i}": job.mapping[col] for i, col in enumerate(job.header)}
    officer_client.post(reverse("insights:import_mapping", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.status == "valid" and job.rows == 159
    assert not _store(org).batch_files()
    page = officer_client.get(reverse("insights:import_detail", args=[job.pk]))
    assert b"159 rows, no problems found" in page.content

    officer_client.post(reverse("insights:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported"
    assert job.task.status == "succeeded"
    assert len(_store(org).batch_files()) == 1


def _upload_and_validate(client, rows, **extra):
    client.post(reverse("insights:imports"), {"file": csv_upload(rows), "format": "htcds", "source": "bad", **extra})
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.get()
    data = {f"col_{i}": job.mapping[col] for i, col in enumerate(job.header)}
    client.post(reverse("insights:import_mapping", args=[job.pk]), data)
    job.refresh_from_db()
    return job


def _malformed_rows():
    rows = plan_rows()[:20]
    rows[3][1] = "not-a-year"
    rows[7][2] = "Purple"
    rows[11] = rows[11][:4]  # a short row
    return rows


def test_strict_upload_reports_every_row_and_stores_nothing(officer_client, org):
    job = _upload_and_validate(officer_client, _malformed_rows(), strict="on")
    assert job.status == "invalid"
    where = {(i["row"], i["column"]) for i in job.report["issues"]}
    assert {i["file"] for i in job.report["issues"]} == {"partner.csv"}
    assert (5, "yearOfRegistration") in where
    assert (9, "gender") in where
    assert any(row == 13 for row, _col in where)
    page = officer_client.get(reverse("insights:import_detail", args=[job.pk])).content.decode()
    assert "validation-report" in page and "nothing will be stored" in page
    response = officer_client.post(reverse("insights:import_run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "invalid"
    assert not _store(org).batch_files()


def test_lenient_upload_shows_the_report_then_accept_stores_the_good_rows(officer_client, org):
    job = _upload_and_validate(officer_client, _malformed_rows())
    assert job.status == "valid"
    assert job.report["rows"] == 20 and job.report["stored_rows"] == 19 and job.report["quarantined"] == 1
    issues = {(i["row"], i["column"]): i for i in job.report["issues"]}
    assert issues[(9, "gender")]["action"] == "set to missing" and issues[(9, "gender")]["value"] == "Purple"
    assert issues[(13, "")]["action"] == "row quarantined"
    assert not _store(org).batch_files(), "nothing is stored before the officer accepts"
    page = officer_client.get(reverse("insights:import_detail", args=[job.pk])).content.decode()
    assert "20 rows = 19 kept + 1 quarantined" in page and "Purple" in page and "row quarantined" in page
    rejects = officer_client.get(reverse("insights:import_rejects", args=[job.pk]))
    assert rejects.status_code == 200 and rejects.content.decode().splitlines()[1].startswith("13,")
    officer_client.post(reverse("insights:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported"
    assert _store(org).batches()[0]["rows"] == 19


def test_cancel_deletes_the_upload_and_stores_nothing(officer_client, org):
    from threadline.insights.services.imports import _upload_path

    job = _upload_and_validate(officer_client, _malformed_rows())
    assert _upload_path(job).exists()
    officer_client.post(reverse("insights:import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled" and not _upload_path(job).exists()
    officer_client.post(reverse("insights:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled" and not _store(org).batch_files()
    response = officer_client.post(reverse("insights:import_cancel", args=[job.pk]))
    assert response.status_code == 302  # a second cancel says so, changes nothing


def test_unknown_column_needs_a_mapping(officer_client, org):
    header = [*HEADER[:-1], "labour_flag"]
    officer_client.post(
        reverse("insights:imports"),
        {"file": csv_upload(plan_rows(), header=header), "format": "htcds", "source": "partner-b"},
    )
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.get()
    assert job.mapping["labour_flag"] == ""
    page = officer_client.get(reverse("insights:import_detail", args=[job.pk]))
    assert b"not recognised" in page.content
    mapping = dict(job.mapping, labour_flag="isForcedLabour")
    data = {f"col_{i}": mapping[col] for i, col in enumerate(job.header)}
    officer_client.post(reverse("insights:import_mapping", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.status == "valid"
    assert job.report["columns"]["labour_flag"] == "isForcedLabour"


def test_excel_upload(officer_client, org):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in plan_rows()[:30]:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("partner.xlsx", buffer.getvalue())
    officer_client.post(reverse("insights:imports"), {"file": upload, "format": "htcds", "source": "xl"})
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.get()
    data = {f"col_{i}": job.mapping[col] for i, col in enumerate(job.header)}
    officer_client.post(reverse("insights:import_mapping", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.status == "valid" and job.rows == 30


def test_ctdc_file_with_wrong_header_is_reported_at_once(officer_client, org):
    upload = csv_upload([["1", "2"]], header=["yearOfRegistration", "nonsense"], name="ctdc.csv")
    officer_client.post(reverse("insights:imports"), {"file": upload, "format": "ctdc-synthetic", "source": "ctdc"})
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert any(i["row"] == 1 and i["column"] == "nonsense" for i in job.report["issues"])


def test_excel_only_for_htcds_and_bad_source_name(officer_client):
    upload = SimpleUploadedFile("x.xlsx", b"PK")
    response = officer_client.post(reverse("insights:imports"), {"file": upload, "format": "ctdc", "source": "ok"})
    assert b"HTCDS format only" in response.content
    response = officer_client.post(
        reverse("insights:imports"), {"file": csv_upload([]), "format": "htcds", "source": "../etc"}
    )
    assert b"letters, digits" in response.content


def test_large_file_is_left_to_the_worker(officer_client, org, monkeypatch):
    from threadline.core.tasks import run_worker
    from threadline.insights import services
    from threadline.insights.models import ImportJob

    monkeypatch.setattr(services.imports, "INLINE_MAX_BYTES", 10)
    officer_client.post(
        reverse("insights:imports"), {"file": csv_upload(plan_rows()), "format": "htcds", "source": "big"}
    )
    job = ImportJob.objects.get()
    services.import_set_mapping(job=job, mapping=job.mapping)
    officer_client.post(reverse("insights:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "importing" and job.task.status == "queued"
    assert run_worker(once=True) == 1
    job.refresh_from_db()
    assert job.status == "imported"


def test_own_cases_flow_in_and_replace_the_snapshot(officer_client, org, monkeypatch):
    import sys
    import types

    rows = [
        {
            "yearOfRegistration": 2024,
            "gender": "Female",
            "majorityStatus": "Minor",
            "citizenship": "NG",
            "isSexualExploit": 1,
            "isForcedCriminality": 0,
            "isIllegalAdoption": 0,
            "typeOfExploitConcatenated": "x",
        }
        for _ in range(12)
    ]
    fake = types.ModuleType("threadline.cases.selectors")
    fake.case_statistics_rows = lambda *, organisation: iter(rows)
    monkeypatch.setitem(sys.modules, "threadline.cases.selectors", fake)
    page = officer_client.get(reverse("insights:imports"))
    assert b"Include our cases" in page.content
    officer_client.post(reverse("insights:own_cases"))
    officer_client.post(reverse("insights:own_cases"))
    batches = _store(org).batches()
    assert [b["source"] for b in batches] == ["own-cases"], "the new snapshot replaces the old one"
    assert batches[0]["rows"] == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["htcds", "ctdc-synthetic"])
def test_validation_holds_no_database_lock(org, make_user, monkeypatch, fmt):
    """A long validation inside a write transaction stalled every request on SQLite (issue #18 item 12)."""
    from django.db import connection

    import threadline.engines.insights as engine
    from threadline.insights import services

    officer = make_user(org, "data_officer")
    real = engine.validate_file
    in_transaction: list[bool] = []

    def watched(*args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "validate_file", watched)
    job = services.import_upload(
        organisation=org, user=officer, uploaded_file=csv_upload(plan_rows()), fmt=fmt, source="partner"
    )
    if fmt == "htcds":
        services.import_set_mapping(job=job, mapping=job.mapping)
    assert in_transaction and not any(in_transaction)
    job.refresh_from_db()
    assert job.report and job.status in {"valid", "invalid"}


def test_the_next_import_removes_files_left_by_a_killed_one(officer_client, org):
    """A killed import left ``.parquet.tmp`` files that nothing removed (issue #18 item 13)."""
    from threadline.insights.models import ImportJob
    from threadline.insights.stores import store_for

    store = store_for(org).ensure()
    leftover = store.batches_dir / ".20250101T000000-partner-dead.parquet.tmp"
    leftover.write_bytes(b"half a file")
    (store.linkage_dir / ".clusters.parquet.tmp").write_bytes(b"half a file")
    officer_client.post(
        reverse("insights:imports"), {"file": csv_upload(plan_rows()), "format": "htcds", "source": "partner"}
    )
    from threadline.insights import services

    job = services.import_set_mapping(job=ImportJob.objects.get(), mapping=ImportJob.objects.get().mapping)
    officer_client.post(reverse("insights:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported"
    assert not list(store.batches_dir.glob(".*.tmp")) and not list(store.linkage_dir.glob(".*.tmp"))


def test_official_htcds_template_uploads_with_identities_ignored(officer_client, org, tmp_path):
    """The HTCDS 2.0 Excel template (row-number column, label row): recognised without a mapping; names and
    dates of birth are left out on the web, which holds no linkage key."""
    from tests.engines.insights.test_published_formats import _official_template
    from threadline.insights.models import ImportJob

    rows = [{"prs_FirstName": "Amarel", "prs_Gender": "Feminine", "vic_TypeOfExploitation": "ChildLabour"}] * 3
    path = _official_template(tmp_path / "template.xlsx", rows)
    upload = SimpleUploadedFile("template.xlsx", path.read_bytes())
    officer_client.post(reverse("insights:imports"), {"file": upload, "format": "htcds", "source": "ngo"})
    job = ImportJob.objects.get()
    assert job.mapping["prs_Gender"] == "gender" and job.mapping["prs_FirstName"] == ""
    assert job.header[0] == "(column 1)" and "cas_ReasonForOutgoingReferral" in job.header
    data = {f"col_{i}": job.mapping[col] for i, col in enumerate(job.header)}
    officer_client.post(reverse("insights:import_mapping", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.status == "valid" and job.report["stored_rows"] == 3, job.report
    officer_client.post(reverse("insights:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported"
    blob = b"".join(p.read_bytes() for p in _store(org).root.rglob("*") if p.is_file())
    assert b"Amarel" not in blob
