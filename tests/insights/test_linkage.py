"""Linkage from the web: run it (inline for a small store, else by the worker) and show its quality."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_link_two_agencies_and_show_estimated_duplicates(officer_client, org, officer, tmp_path):
    from threadline.engines.insights import generate, write_agency_files
    from threadline.insights import services
    from threadline.insights.models import LinkageRun

    data = generate(600, agencies=2, seed=3)
    for path in write_agency_files(data, tmp_path / "files"):
        if not path.name.startswith("agency"):
            continue
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        job = services.import_upload(
            organisation=org, user=officer, uploaded_file=upload, fmt="htcds", source=path.stem
        )
        job = services.import_set_mapping(job=job, mapping=job.mapping)
        services.import_start(job=job, user=officer)
    response = officer_client.post(reverse("insights:linkage"), {"threshold": "0.9"})
    assert response.status_code == 302
    run = LinkageRun.objects.get()
    assert run.task.status == "succeeded", run.task.error
    assert run.report["records"] == 600
    assert run.report["estimated_duplicates"] > 0
    page = officer_client.get(reverse("insights:linkage")).content.decode()
    assert 'id="estimated-duplicates"' in page and "Expected precision" in page
    assert 'id="unscored-links"' in page  # missed links include the pairs blocking never compared
    overview = officer_client.get(reverse("insights:index")).content.decode()
    assert str(run.report["clusters"]) in overview
