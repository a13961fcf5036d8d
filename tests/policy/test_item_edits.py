"""Evidence and consultations of an assessment are changed or removed only while it is a draft: never after
approval or publication, never a frozen figure (only its note), never in another organisation, always audited
by who and what (never the content)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.policy import factories
from threadline.audit.models import AuditEntry
from threadline.policy import services
from threadline.policy.models import Consultation, EvidenceItem
from threadline.prevention.models import PublishedSummary

pytestmark = pytest.mark.django_db

PARTICIPANTS = {
    "method": "survey",
    "held_on": "2026-03-02",
    "what_they_said": "Buses are late in winter.",
    "how_it_changed": "A winter timetable.",
    "p_13_15_girls": "9",
    "p_16_17_boys": "4",
}


@pytest.fixture
def people(org, make_user):
    return (make_user(org, "policy_officer"), make_user(org, "policy_reviewer"), make_user(org, "policy_approver"))


def _notes(assessment) -> list[str]:
    entries = AuditEntry.objects.filter(object_type="policy.assessment", object_id=str(assessment.pk))
    return list(entries.values_list("note", flat=True))


def test_a_draft_citation_is_changed_then_removed_and_both_are_audited_without_content(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    item = services.evidence_add_citation(assessment=a, user=officer, citation="Travel survey 2025")
    services.evidence_update(
        item=item, user=officer, citation="Travel survey 2025, second wave", url="https://example.org", summary="Late."
    )
    item.refresh_from_db()
    assert item.citation == "Travel survey 2025, second wave"
    assert (item.url, item.summary) == ("https://example.org", "Late.")
    change = AuditEntry.objects.filter(object_type="policy.evidenceitem", object_id=str(item.pk), action="update").get()
    assert set(change.fields) == {"citation", "url", "summary"}
    assert f"evidence {item.pk} changed" in _notes(a)
    pk = item.pk
    services.evidence_delete(item=item, user=officer)
    assert not EvidenceItem.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_type="policy.evidenceitem", object_id=str(pk), action="delete").exists()
    assert f"evidence {pk} removed" in _notes(a)
    written = " ".join(f"{e.note} {e.fields}" for e in AuditEntry.objects.filter(object_id__in=[str(a.pk), str(pk)]))
    assert "second wave" not in written and "Late." not in written


def test_a_frozen_figure_keeps_its_figures_and_only_its_note_changes(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    published = PublishedSummary.objects.create(
        organisation=org, figures={"pupils_total": 40}, published_at=timezone.now()
    )
    item = services.evidence_cite_prevention(assessment=a, user=officer, summary_item=published)
    before = (item.citation, item.figure_label, item.figure_value, item.source_id, item.source_version, item.frozen)
    with pytest.raises(services.PolicyError, match="frozen"):
        services.evidence_update(item=item, user=officer, citation="Another source", summary="x")
    services.evidence_update(item=item, user=officer, summary="Pupils reached in the city's schools.")
    item.refresh_from_db()
    assert item.summary == "Pupils reached in the city's schools."
    assert (item.citation, item.figure_label, item.figure_value, item.source_id, item.source_version, item.frozen) == (
        before
    )


def test_a_consultation_is_corrected_then_removed_in_draft(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    c = factories.consultation(a, officer, feedback=False)
    services.consultation_update(
        consultation=c,
        user=officer,
        method="survey",
        held_on=date(2026, 3, 2),
        participants={"13_15:girls": 9, "16_17:boys": 4},
        what_they_said="Buses are late.",
        how_it_changed="A winter timetable.",
    )
    c.refresh_from_db()
    assert c.method == "survey" and c.participants == {"13_15:girls": 9, "16_17:boys": 4} and c.total_participants == 13
    with pytest.raises(services.PolicyError, match="took part"):
        services.consultation_update(
            consultation=c,
            user=officer,
            method="survey",
            held_on=date(2026, 3, 2),
            participants={},
            what_they_said="x",
            how_it_changed="y",
        )
    pk = c.pk
    services.consultation_delete(consultation=c, user=officer)
    assert not Consultation.objects.filter(pk=pk).exists()
    assert f"consultation {pk} removed" in _notes(a)


def test_nothing_changes_after_approval_and_the_frozen_versions_stay_as_they_were(org, people):
    officer = people[0]
    a = factories.approved(org, *people)
    snapshots = {v.number: v.snapshot for v in a.versions.all()}
    item, c = a.evidence.get(), a.consultations.get()
    for attempt in (
        lambda: services.evidence_update(item=item, user=officer, citation="Changed", summary=""),
        lambda: services.evidence_delete(item=item, user=officer),
        lambda: services.consultation_delete(consultation=c, user=officer),
        lambda: services.consultation_update(
            consultation=c,
            user=officer,
            method="survey",
            held_on=date(2026, 3, 2),
            participants={"13_15:girls": 20},
            what_they_said="x",
            how_it_changed="y",
        ),
    ):
        with pytest.raises(services.PolicyError, match="cannot be changed"):
            attempt()
    item.refresh_from_db()
    c.refresh_from_db()
    assert item.citation == "City travel survey 2025" and c.total_participants == 12
    assert {v.number: v.snapshot for v in a.versions.all()} == snapshots


def test_a_completed_stage_keeps_its_last_evidence_and_consultation(org, people):
    officer = people[0]
    a = factories.ready_for_review(org, officer)
    with pytest.raises(services.PolicyError, match="at least one piece of evidence"):
        services.evidence_delete(item=a.evidence.get(), user=officer)
    with pytest.raises(services.PolicyError, match="at least one consultation"):
        services.consultation_delete(consultation=a.consultations.get(), user=officer)
    extra = services.evidence_add_citation(assessment=a, user=officer, citation="School census")
    services.evidence_delete(item=extra, user=officer)
    assert a.evidence.count() == 1


def test_the_pages_change_and_remove_in_draft(org, people, signed_in):
    officer = people[0]
    a = factories.started(org, officer)
    item = services.evidence_add_citation(assessment=a, user=officer, citation="Travel survey 2025")
    c = factories.consultation(a, officer, feedback=False)
    client = signed_in(officer, org)
    evidence_page = client.get(reverse("policy:stage", args=[a.pk, "evidence"])).content.decode()
    assert reverse("policy:evidence_edit", args=[a.pk, item.pk]) in evidence_page
    assert reverse("policy:evidence_delete", args=[a.pk, item.pk]) in evidence_page
    consultation_page = client.get(reverse("policy:stage", args=[a.pk, "consultation"])).content.decode()
    assert reverse("policy:consultation_edit", args=[a.pk, c.pk]) in consultation_page
    assert reverse("policy:consultation_delete", args=[a.pk, c.pk]) in consultation_page

    form = client.get(reverse("policy:consultation_edit", args=[a.pk, c.pk])).content.decode()
    assert "Buses are too crowded after school." in form and 'value="7"' in form
    response = client.post(reverse("policy:consultation_edit", args=[a.pk, c.pk]), PARTICIPANTS)
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.participants == {"13_15:girls": 9, "16_17:boys": 4}
    response = client.post(
        reverse("policy:evidence_edit", args=[a.pk, item.pk]), {"citation": "Travel survey 2026", "summary": "s"}
    )
    assert response.status_code == 302 and EvidenceItem.objects.get(pk=item.pk).citation == "Travel survey 2026"
    assert client.post(reverse("policy:evidence_delete", args=[a.pk, item.pk])).status_code == 302
    assert client.post(reverse("policy:consultation_delete", args=[a.pk, c.pk])).status_code == 302
    assert not a.evidence.exists() and not a.consultations.exists()


def test_the_pages_refuse_after_approval_and_hide_the_buttons(org, people, signed_in):
    officer = people[0]
    a = factories.approved(org, *people)
    item, c = a.evidence.get(), a.consultations.get()
    client = signed_in(officer, org)
    page = client.get(reverse("policy:stage", args=[a.pk, "evidence"])).content.decode()
    assert reverse("policy:evidence_delete", args=[a.pk, item.pk]) not in page
    response = client.post(reverse("policy:evidence_edit", args=[a.pk, item.pk]), {"citation": "Late", "summary": ""})
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    client.post(reverse("policy:evidence_delete", args=[a.pk, item.pk]))
    client.post(reverse("policy:consultation_delete", args=[a.pk, c.pk]))
    assert client.post(reverse("policy:consultation_edit", args=[a.pk, c.pk]), PARTICIPANTS).status_code == 200
    assert EvidenceItem.objects.get(pk=item.pk).citation == "City travel survey 2025"
    assert Consultation.objects.get(pk=c.pk).method == "workshop"


def test_another_organisation_or_another_assessment_gets_404(org, other_org, people, make_user, signed_in):
    officer = people[0]
    a = factories.started(org, officer)
    b = factories.started(org, officer)
    item = services.evidence_add_citation(assessment=a, user=officer, citation="Travel survey 2025")
    c = factories.consultation(a, officer, feedback=False)
    outsider = signed_in(make_user(other_org, "policy_officer"), other_org)
    assert outsider.get(reverse("policy:evidence_edit", args=[a.pk, item.pk])).status_code == 404
    assert outsider.post(reverse("policy:evidence_delete", args=[a.pk, item.pk])).status_code == 404
    assert outsider.post(reverse("policy:consultation_delete", args=[a.pk, c.pk])).status_code == 404
    insider = signed_in(officer, org)
    assert insider.get(reverse("policy:evidence_edit", args=[b.pk, item.pk])).status_code == 404
    assert insider.post(reverse("policy:consultation_delete", args=[b.pk, c.pk])).status_code == 404
    assert EvidenceItem.objects.filter(pk=item.pk).exists() and Consultation.objects.filter(pk=c.pk).exists()


def test_the_page_for_a_frozen_figure_offers_the_note_alone(org, people, signed_in):
    officer = people[0]
    a = factories.started(org, officer)
    published = PublishedSummary.objects.create(
        organisation=org, figures={"pupils_total": 40}, published_at=timezone.now()
    )
    item = services.evidence_cite_prevention(assessment=a, user=officer, summary_item=published)
    client = signed_in(officer, org)
    url = reverse("policy:evidence_edit", args=[a.pk, item.pk])
    page = client.get(url).content.decode()
    assert "only the note on what it shows can change" in page and 'name="citation"' not in page
    response = client.post(url, {"summary": "Reach in the city.", "citation": "Another source", "figure_value": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.summary == "Reach in the city." and item.figure_value == 40 and item.citation.startswith("Threadline")
