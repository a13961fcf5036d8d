"""Every CSV of the insights area (release, synthetic records, chart data) is safe to open in a spreadsheet
(issue #18, item 10). Stored categories come from checked vocabularies; the writers do not rely on it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.csv_safety import HOSTILE, assert_spreadsheet_safe
from threadline.insights.dashboards import ChartData, Point
from threadline.insights.exports import chart_csv

from .test_releases import _release

pytestmark = pytest.mark.django_db


def _hostile_release(officer_client):
    from threadline.insights.models import Release

    assert _release(officer_client, ["gender", "majorityStatus"]).status_code == 302
    release = Release.objects.get()
    release.table = json.loads(json.dumps(release.table).replace('"Female"', json.dumps(HOSTILE[0])))
    release.save(update_fields=["table"])
    return release


def test_release_csv(officer_client, loaded):
    release = _hostile_release(officer_client)
    text = officer_client.get(reverse("insights:release_csv", args=[release.pk])).content.decode()
    assert_spreadsheet_safe(text, must_contain=(HOSTILE[0],))


def test_synthetic_records_csv(officer_client, loaded):
    from threadline.insights.models import SyntheticRelease

    release = _hostile_release(officer_client)
    officer_client.post(reverse("insights:synthetic_create"), {"title": "synthetic", "releases": [release.pk]})
    item = SyntheticRelease.objects.get()
    officer_client.post(reverse("insights:synthetic_publish", args=[item.pk]), {"publish": "1"})
    text = officer_client.get(reverse("insights:public_synthetic_csv", args=[item.pk])).content.decode()
    assert_spreadsheet_safe(text, must_contain=(HOSTILE[0],))


def test_chart_csv():
    data = ChartData(slug="s", title="t", description="", columns=[HOSTILE[1]],
                     rows=[(HOSTILE[3], [Point(12.0)]), ("-5", [Point(None)])])  # fmt: skip
    text = chart_csv(data)
    assert_spreadsheet_safe(text, must_contain=(HOSTILE[3],))
    assert "\n-5," in text  # a plain number stays a number
