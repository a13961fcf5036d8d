"""Uploads the reading layer used to crash on (CR-only lines, a giant header cell): read or reported on the
job's page, and no upload is ever left without its job (issue #18, item 11)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.insights.conftest import HEADER, plan_rows

pytestmark = pytest.mark.django_db


def _post(client, data: bytes):
    upload = SimpleUploadedFile("partner.csv", data, content_type="text/csv")
    return client.post(reverse("insights:imports"), {"file": upload, "format": "htcds", "source": "p"})


def test_cr_only_line_endings_are_read(officer_client, org):
    from threadline.insights.models import ImportJob

    lines = [",".join(HEADER), *(",".join(str(v) for v in row) for row in plan_rows()[:5])]
    response = _post(officer_client, "\r".join(lines).encode() + b"\r")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.header == HEADER


def test_giant_header_cell_is_reported_on_the_page(officer_client, org):
    from threadline.insights.models import ImportJob

    response = _post(officer_client, b"case_id," + b"g" * 140_000 + b"\nc1,x\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.INVALID
    page = officer_client.get(reverse("insights:import_detail", args=[job.pk]))
    assert page.status_code == 200 and b"longer than 1,000 characters" in page.content


def test_a_failure_while_reading_leaves_no_upload_behind(officer, org, monkeypatch):
    from threadline.engines.insights.importers.base import Reader
    from threadline.insights import services
    from threadline.insights.models import ImportJob
    from threadline.insights.stores import uploads_dir

    def broken(self):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(Reader, "read_header", broken)
    with pytest.raises(RuntimeError):
        services.import_upload(organisation=org, user=officer, uploaded_file=SimpleUploadedFile("p.csv", b"a,b\n"),
                               fmt="htcds", source="p")  # fmt: skip
    assert not ImportJob.objects.exists() and not list(uploads_dir(org).iterdir())
