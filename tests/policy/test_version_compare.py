"""Two frozen versions of an assessment compared: answers, impact ratings, evidence and the decision that changed
between a version returned by the reviewer and the one submitted again, read from the snapshots only."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.policy import factories
from threadline.audit.models import AuditEntry
from threadline.policy import services
from threadline.policy.versions import version_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, make_user):
    return (make_user(org, "policy_officer"), make_user(org, "policy_reviewer"), make_user(org, "policy_approver"))


@pytest.fixture
def resubmitted(org, people):
    """v1 submitted, v2 returned by the reviewer, then changed and v3 submitted again."""
    officer, reviewer, _approver = people
    a = factories.submitted(org, officer)
    services.assessment_review(assessment=a, user=reviewer, passed=False, comment="Say more about children in care.")
    services.answers_save(
        assessment=a, user=officer, stage="impact", answers={"unequal_effects": "Children in care travel twice as far."}
    )
    services.impact_save(
        assessment=a,
        user=officer,
        article="crc-2",
        group="all",
        rating="negative",
        reasoning="Children in care travel further.",
        mitigation="Escorts.",
    )
    item = a.evidence.get()
    services.evidence_update(item=item, user=officer, citation="City travel survey 2025, second wave", summary="")
    services.evidence_add_citation(assessment=a, user=officer, citation="Care placements report")
    services.decision_record(
        assessment=a, user=officer, outcome="changed", rationale="Extra bus and escorts.", decided_on=date(2026, 4, 2)
    )
    services.assessment_submit(assessment=a, user=officer)
    return a


def _section(changes, title):
    return {str(t): rows for t, rows in changes}.get(title, [])


def test_the_changes_between_two_versions_are_read_from_their_snapshots(resubmitted):
    a = resubmitted
    v1, v3 = a.versions.get(number=1), a.versions.get(number=3)
    changes = version_changes(a, v1, v3, "en")
    answers = _section(changes, "Answers")
    assert [(r["before"], r["after"], r["change"]) for r in answers] == [
        ("Children in care travel further.", "Children in care travel twice as far.", "changed")
    ]
    impacts = _section(changes, "Impact on rights")
    assert len(impacts) == 1 and impacts[0]["before"].startswith("Positive") and "Escorts." in impacts[0]["after"]
    evidence = {r["change"]: r for r in _section(changes, "Evidence")}
    assert set(evidence) == {"changed", "added"}
    assert evidence["changed"]["before"] == "City travel survey 2025"
    assert evidence["changed"]["after"] == "City travel survey 2025, second wave"
    assert evidence["added"]["after"] == "Care placements report"
    decision = {r["label"]: (r["before"], r["after"]) for r in _section(changes, "Decision")}
    assert decision == {"reasons": ("Extra bus.", "Extra bus and escorts."), "decided on": ("2026-04-01", "2026-04-02")}
    assert _section(changes, "Consultations with children") == [] and _section(changes, "Status") == []
    assert version_changes(a, v1, v1, "en") == []
    # the live rows changing later does not change what the versions say
    a.evidence.all().delete()
    assert version_changes(a, v1, v3, "en") == changes


def test_the_page_is_reached_from_the_versions_list_and_audited(org, people, resubmitted, signed_in):
    a = resubmitted
    client = signed_in(people[2], org)
    detail = client.get(reverse("policy:assessment", args=[a.pk])).content.decode()
    url = reverse("policy:version_compare", args=[a.pk])
    assert f"{url}?from=2&amp;to=3" in detail
    page = client.get(url, {"from": 1, "to": 3}).content.decode()
    assert "Children in care travel twice as far." in page and "Care placements report" in page
    assert "Extra bus and escorts." in page
    assert AuditEntry.objects.filter(note="versions v1 and v3 compared", object_id=str(a.pk)).exists()
    assert client.get(url, {"from": 1, "to": 9}).status_code == 404
    assert client.get(url, {"from": "x"}).status_code == 404
    default = client.get(url).content.decode()  # the latest against the one before it
    assert "v2" in default and "Returned by the reviewer" in default


def test_another_organisation_gets_404_and_a_single_version_says_so(org, other_org, people, make_user, signed_in):
    a = factories.submitted(org, people[0])
    outsider = signed_in(make_user(other_org, "policy_approver"), other_org)
    url = reverse("policy:version_compare", args=[a.pk])
    assert outsider.get(url).status_code == 404
    page = signed_in(people[2], org).get(url).content.decode()
    assert "only one frozen version" in page
