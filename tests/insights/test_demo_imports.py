"""The demo's import pages render (they were a 500: the demo stored its jobs with an empty report) (#18, item 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_demo_imports_have_a_report_and_their_pages_render(org, officer, officer_client, monkeypatch):
    from threadline.insights import demo
    from threadline.insights.models import ImportJob
    from threadline.synth.demo import DemoContext

    monkeypatch.setattr(demo, "DEMO_RECORDS", 300)
    demo.load_insights(DemoContext({"harbour": org}, {"harbour:data_officer": officer}))
    jobs = list(ImportJob.objects.all())
    assert len(jobs) == demo.DEMO_AGENCIES
    for job in jobs:
        assert job.report["ok"] and job.report["issue_count"] == 0 and job.report["rows"] == job.rows
        page = officer_client.get(reverse("insights:import_detail", args=[job.pk]))
        assert page.status_code == 200
        assert f"{job.rows} rows, no problems found" in page.content.decode()


def test_an_import_stored_without_a_report_still_renders(org, officer, officer_client):
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.create(organisation=org, created_by=officer, file_name="agency1.csv", format="htcds",
                                   source="agency1", status=ImportJob.Status.IMPORTED, rows=12)  # fmt: skip
    page = officer_client.get(reverse("insights:import_detail", args=[job.pk]))
    assert page.status_code == 200 and "12 rows" in page.content.decode()
