"""``threadline demo`` shows a published assessment, one in progress, and indicators with values."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def insights_root(settings, tmp_path):
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")


def test_demo_has_a_published_and_an_in_progress_assessment_and_indicator_values():
    from threadline.policy.models import AdvisorySubmission, Assessment, Indicator
    from threadline.policy.selectors import service_quality_rows
    from threadline.synth.demo import load_demo

    ctx = load_demo()
    harbour = ctx.organisations["harbour"]
    statuses = sorted(Assessment.objects.filter(organisation=harbour).values_list("status", flat=True))
    assert statuses == ["draft", "published"]
    published = Assessment.objects.get(organisation=harbour, status="published")
    assert published.evidence.filter(kind="insights_release").exists()
    sdg = Indicator.objects.get(policy__organisation=harbour, source="sdg_16_2_2")
    latest = sdg.values.first()
    assert latest is not None and not latest.suppressed and latest.value > 0
    assert Indicator.objects.filter(policy__organisation=harbour, values__isnull=False).distinct().count() == 4
    assert AdvisorySubmission.objects.filter(organisation=harbour).count() == 201
    rows = service_quality_rows(organisation=harbour)
    assert any(r["responses"] for r in rows) and any(share for r in rows for _label, share in r["shares"])
