"""An assessment cites a published prevention summary: the figures are frozen with the summary and its time,
stay the same after new sessions or a withdrawal, and nothing under 11 is ever kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.policy import factories
from tests.prevention import factories as prevention
from threadline.policy import services
from threadline.policy.models import EvidenceItem
from threadline.prevention import services as prevention_services
from threadline.prevention.models import PublishedSummary

pytestmark = pytest.mark.django_db


def _reach(org, user, classes):
    plan = prevention.plan(org)
    for label, attendance in classes.items():
        prevention_services.session_log(
            user=user,
            plan=plan,
            module_session="respect_and_equality/boxes_we_are_put_in",
            delivered_on=date(2026, 2, 3),
            class_label=label,
            attendance=attendance,
        )


@pytest.fixture
def officer(org, make_user):
    return make_user(org, "policy_officer")


@pytest.fixture
def summary(org, make_user):
    coordinator = make_user(org, "prevention_coordinator")
    _reach(
        org,
        coordinator,
        {"8A": {"female": {"12-15": 14}, "male": {"12-15": 12}}, "8B": {"female": {"12-15": 13}, "male": {"12-15": 4}}},
    )
    return prevention_services.summary_publish(organisation=org, user=coordinator), coordinator


def test_a_cited_summary_is_frozen_with_its_id_and_time(org, officer, summary):
    published, coordinator = summary
    a = factories.started(org, officer)
    item = services.evidence_cite_prevention(assessment=a, user=officer, summary_item=published, summary="Reach.")
    assert item.kind == EvidenceItem.Kind.PREVENTION_SUMMARY
    assert item.figure_value == 43  # 14 + 12 + 13 + 4
    assert item.source_id == f"prevention-summary-{published.pk}"
    assert item.source_version == published.published_at.isoformat(timespec="seconds")
    assert item.frozen["by_sex"] == {"female": 27, "male": 16}  # 14 + 13, 12 + 4
    assert item.frozen["k"] == 11 and item.frozen["summary_id"] == published.pk
    # New sessions and a withdrawal change nothing in the assessment.
    _reach(org, coordinator, {"9C": {"female": {"12-15": 30}, "male": {"12-15": 30}}})
    prevention_services.summary_withdraw(summary=published)
    item.refresh_from_db()
    assert item.figure_value == 43 and item.frozen["by_sex"]["female"] == 27
    with pytest.raises(services.PolicyError, match="published prevention summary"):
        services.evidence_cite_prevention(assessment=a, user=officer, summary_item=published)


def test_only_this_organisations_summaries_can_be_cited(org, other_org, officer, make_user, summary):
    other = prevention_services.summary_publish(
        organisation=other_org, user=make_user(other_org, "prevention_coordinator")
    )
    a = factories.started(org, officer)
    with pytest.raises(services.PolicyError):
        services.evidence_cite_prevention(assessment=a, user=officer, summary_item=other)
    assert not a.evidence.exists()


def test_a_figure_under_11_is_never_kept(org, officer):
    figures = {
        "k": 11,
        "pupils_total": 9,
        "by_sex": {"female": 5, "male": 4},
        "by_age_band": {"12-15": 9},
        "sessions": 2,
        "outcomes": [
            {
                "title": "Knowing where to get help",
                "unit": "points",
                "overall": {"suppressed": False, "n_pre": 9, "n_post": 12, "change": 0.4},
            },
            {
                "title": "Respect",
                "unit": "points",
                "overall": {"suppressed": False, "n_pre": 30, "n_post": 28, "change": 0.2},
            },
        ],
    }
    old = PublishedSummary.objects.create(organisation=org, figures=figures, published_at=timezone.now())
    item = services.evidence_cite_prevention(assessment=factories.started(org, officer), user=officer, summary_item=old)
    assert item.figure_value is None and item.frozen["pupils_total"] is None
    assert item.frozen["by_sex"] == {"female": None, "male": None} and item.frozen["by_age_band"] == {"12-15": None}
    assert item.frozen["outcomes"][0]["overall"] == {"suppressed": True}
    assert item.frozen["outcomes"][1]["overall"]["change"] == 0.2


def test_the_evidence_page_cites_a_summary(org, officer, summary, signed_in):
    published, _coordinator = summary
    a = factories.started(org, officer)
    factories.complete(a, officer, "screening")
    factories.complete(a, officer, "scoping")
    client = signed_in(officer, org)
    page = client.get(reverse("policy:stage", args=[a.pk, "evidence"])).content.decode()
    assert reverse("policy:evidence_prevention", args=[a.pk]) in page
    response = client.post(reverse("policy:evidence_prevention", args=[a.pk]), {"summary_item": published.pk})
    assert response.status_code == 302
    page = client.get(reverse("policy:stage", args=[a.pk, "evidence"])).content.decode()
    assert "Pupils reached (protected, k=11)" in page and f"prevention-summary-{published.pk}" in page
