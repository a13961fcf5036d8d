"""Attack tests of the web release path: no released cell under k, differencing two releases never reveals a
suppressed cell, the privacy budget is never exceeded; the public page shows only published aggregates."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from django.urls import reverse

from tests.insights.conftest import HEADER, assert_attacker_learns_nothing, plan_rows

pytestmark = pytest.mark.django_db

K = 11
GROUPINGS = [
    ["gender"],
    ["majorityStatus"],
    ["yearOfRegistration"],
    ["gender", "majorityStatus"],
    ["yearOfRegistration", "gender"],
    ["yearOfRegistration", "majorityStatus"],
    ["yearOfRegistration", "gender", "majorityStatus"],
]


def _release(client, fields, **extra):
    data = {"title": "r " + ",".join(fields), "group_by": fields, "method": "suppression", "k": K, **extra}
    return client.post(reverse("insights:releases"), data)


def _true_counts(by):
    index = [HEADER.index(f) for f in by]
    counts = Counter()
    for row in plan_rows():
        values = tuple(str(row[i]) for i in index)
        for mask in itertools.product((False, True), repeat=len(by)):
            counts[tuple(None if m else v for v, m in zip(values, mask, strict=True))] += 1
    return counts


def test_no_released_cell_is_under_k(officer_client, loaded):
    from threadline.insights.models import Release
    from threadline.insights.protection import Figures

    for fields in GROUPINGS:
        assert _release(officer_client, fields).status_code == 302
    for release in Release.objects.all():
        figures = Figures.from_payload(release.table)
        for _key, (value, _acc) in figures.cells.items():
            assert value is None or value == 0 or value >= K, (release.fields, value)
        csv_text = officer_client.get(reverse("insights:release_csv", args=[release.pk])).content.decode()
        for line in csv_text.splitlines()[1:]:
            count = line.split(",")[len(release.fields)]
            assert count == "" or int(count) == 0 or int(count) >= K


def test_differencing_releases_never_reveals_a_suppressed_cell(officer_client, loaded):
    """The attacker holds every released table and solves for each hidden cell (linear programming)."""
    from threadline.insights.models import Release
    from threadline.insights.protection import Figures

    for fields in GROUPINGS:
        _release(officer_client, fields)
    tables = [Figures.from_payload(release.table) for release in Release.objects.all()]
    assert_attacker_learns_nothing(tables, lambda t: _true_counts(t.by), K)


def test_dp_release_budget_is_never_exceeded(officer_client, loaded, org):
    from threadline.insights.models import Release
    from threadline.insights.protection import budget_status

    total = budget_status(org)["total"]
    accepted = 0
    for _ in range(5):
        response = _release(officer_client, ["gender"], method="dp", epsilon=4)
        if response.status_code == 302:
            accepted += 1
        else:
            assert b"Refused: the privacy budget of this dataset would be exceeded" in response.content
    assert accepted == int(total // 4)
    status = budget_status(org)
    assert status["spent"] <= status["total"] + 1e-9
    release = Release.objects.filter(method="dp").first()
    page = officer_client.get(reverse("insights:release", args=[release.pk]))
    assert b"Accuracy" in page.content


def test_public_page_shows_only_published_releases(officer_client, loaded, client, make_org, make_user, signed_in):
    from threadline.insights.models import Release

    _release(officer_client, ["gender"])
    _release(officer_client, ["majorityStatus"], title="secret draft")
    published = Release.objects.get(fields=["gender"])
    officer_client.post(reverse("insights:release_publish", args=[published.pk]), {"publish": "1"})
    officer_client.logout()
    page = client.get(reverse("insights:public"))
    assert page.status_code == 200
    body = page.content.decode()
    assert published.title in body and "secret draft" not in body
    draft = Release.objects.get(fields=["majorityStatus"])
    assert client.get(reverse("insights:public_release_csv", args=[draft.pk])).status_code == 404
    assert client.get(reverse("insights:public_release_csv", args=[published.pk])).status_code == 200


def test_synthetic_microdata_from_releases(officer_client, loaded, client):
    from threadline.insights.models import Release, SyntheticRelease

    _release(officer_client, ["gender", "majorityStatus"])  # every cell at least k: nothing suppressed
    release = Release.objects.get()
    response = officer_client.post(
        reverse("insights:synthetic_create"), {"title": "synthetic", "releases": [release.pk]}
    )
    assert response.status_code == 302
    item = SyntheticRelease.objects.get()
    assert item.metrics["rare_combination_leakage"] == 0
    assert item.rows > 0
    page = officer_client.get(reverse("insights:synthetic", args=[item.pk]))
    assert b"Count preservation" in page.content
    officer_client.post(reverse("insights:synthetic_publish", args=[item.pk]), {"publish": "1"})
    officer_client.logout()
    assert b"synthetic" in client.get(reverse("insights:public")).content
    csv_text = client.get(reverse("insights:public_synthetic_csv", args=[item.pk])).content.decode()
    assert csv_text.startswith("gender,majorityStatus")


def test_release_needs_data_and_valid_fields(officer_client):
    response = _release(officer_client, ["gender"])
    assert b"no data to release" in response.content


def test_releases_of_the_same_data_share_one_version_whatever_their_fields(officer_client, loaded):
    """Releases are audited jointly only within a version: the version must name the data, not the columns."""
    from threadline.insights.models import Release

    _release(officer_client, ["gender"])
    _release(officer_client, ["yearOfRegistration", "majorityStatus"])
    versions = set(Release.objects.values_list("dataset_version", flat=True))
    assert len(versions) == 1 and "" not in versions
