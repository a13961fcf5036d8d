"""The stage machine: stages in order, guards at each transition, four eyes, publication needs the children's
summary; every transition audited and frozen as a version."""

from __future__ import annotations

from datetime import date

import pytest

from tests.policy import factories
from threadline.audit.models import AuditEntry
from threadline.policy import services
from threadline.policy.models import Assessment, Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, make_user):
    return (make_user(org, "policy_officer"), make_user(org, "policy_reviewer"), make_user(org, "policy_approver"))


def test_stages_must_be_completed_in_order_with_their_required_answers(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    with pytest.raises(services.PolicyError):
        services.stage_complete(assessment=a, user=officer, stage="scoping")
    with pytest.raises(services.PolicyError) as exc:
        services.stage_complete(assessment=a, user=officer, stage="screening")
    assert "Answer:" in str(exc.value.message)
    factories.complete(a, officer, "screening")
    assert a.stage == "scoping" and a.completed_stages == ["screening"]


def test_a_no_at_the_gate_screens_the_policy_out(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    services.answers_save(
        assessment=a, user=officer, stage="screening", answers={"affects_children": "no", "which_children": "None."}
    )
    services.stage_complete(assessment=a, user=officer, stage="screening")
    assert a.status == Assessment.Status.SCREENED_OUT
    assert a.versions.get().reason == "screened out"


def test_evidence_consultation_impact_and_decision_stages_guard_their_content(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    factories.complete(a, officer, "screening")
    factories.complete(a, officer, "scoping")
    with pytest.raises(services.PolicyError, match="evidence"):
        factories.complete(a, officer, "evidence")
    services.evidence_add_citation(assessment=a, user=officer, citation="A survey")
    factories.complete(a, officer, "evidence")
    with pytest.raises(services.PolicyError, match="consultation"):
        factories.complete(a, officer, "consultation")
    factories.consultation(a, officer, feedback=False)
    factories.complete(a, officer, "consultation")
    services.impact_save(assessment=a, user=officer, article="crc-2", group="all", rating="neutral", reasoning="x")
    with pytest.raises(services.PolicyError) as exc:
        factories.complete(a, officer, "impact")
    assert "35. Prevention of abduction, sale and trafficking" in exc.value.message
    with pytest.raises(services.PolicyError, match="mitigation"):
        services.impact_save(
            assessment=a,
            user=officer,
            article="crc-34",
            group="girls",
            rating="negative",
            reasoning="Longer waits at night.",
        )


def test_review_and_approval_need_other_people_and_a_reason_to_return(org, people, make_user):
    officer, reviewer, approver = people
    a = factories.submitted(org, officer)
    with pytest.raises(services.PolicyError, match="someone else"):
        services.assessment_review(assessment=a, user=officer, passed=True)
    with pytest.raises(services.PolicyError):
        services.assessment_review(assessment=a, user=reviewer, passed=False, comment="")
    services.assessment_review(assessment=a, user=reviewer, passed=False, comment="Say more about children in care.")
    assert a.status == Assessment.Status.DRAFT
    services.assessment_submit(assessment=a, user=officer)
    services.assessment_review(assessment=a, user=reviewer, passed=True)
    with pytest.raises(services.PolicyError, match="other than"):
        services.assessment_approve(assessment=a, user=reviewer, approved=True)
    services.assessment_approve(assessment=a, user=approver, approved=True)
    assert a.status == Assessment.Status.APPROVED
    reasons = list(a.versions.order_by("number").values_list("reason", flat=True))
    assert reasons == [
        "submitted for review",
        "returned by the reviewer",
        "submitted for review",
        "passed review",
        "approved",
    ]


def test_publication_needs_approval_a_child_friendly_summary_and_every_summary_returned(org, people):
    officer, reviewer, approver = people
    a = factories.ready_for_review(org, officer)
    with pytest.raises(services.PolicyError, match="approved"):
        services.assessment_publish(assessment=a, user=officer, summary="s", child_friendly_summary="c")
    services.assessment_submit(assessment=a, user=officer)
    services.assessment_review(assessment=a, user=reviewer, passed=True)
    services.assessment_approve(assessment=a, user=approver, approved=True)
    pending = factories.consultation  # a second consultation recorded late, its summary not yet returned
    a.status = Assessment.Status.DRAFT
    c = pending(a, officer, feedback=False)
    a.status = Assessment.Status.APPROVED
    with pytest.raises(services.PolicyError, match="child-friendly summary"):
        services.assessment_publish(assessment=a, user=officer, summary="s", child_friendly_summary="")
    with pytest.raises(services.PolicyError, match="1 still to do"):
        services.assessment_publish(assessment=a, user=officer, summary="s", child_friendly_summary="c")
    services.consultation_return_feedback(
        consultation=c, user=officer, feedback_summary="Thanks.", returned_on=date.today()
    )
    services.assessment_publish(assessment=a, user=officer, summary="s", child_friendly_summary="c")
    assert a.status == Assessment.Status.PUBLISHED and a.stage == "monitoring"
    assert Publication.objects.get(assessment=a).published_at is not None


def test_every_transition_is_audited_and_nothing_changes_after_submission(org, people):
    officer = people[0]
    a = factories.published(org, *people)
    notes = list(
        AuditEntry.objects.filter(object_type="policy.assessment", object_id=str(a.pk)).values_list("note", flat=True)
    )
    for expected in ("submitted for review", "passed review", "approved", "published", "stage screening completed"):
        assert any(expected in n for n in notes), expected
    with pytest.raises(services.PolicyError):
        services.evidence_add_citation(assessment=a, user=officer, citation="late")
    services.answers_save(assessment=a, user=officer, stage="monitoring", answers={"review_plan": "Every spring."})
    snapshot = a.versions.get(reason="published").snapshot
    assert snapshot["answers"]["affects_children"] == "yes" and len(snapshot["impacts"]) == 7


def test_survivor_contact_is_kept_only_with_consent_and_encrypted(org):
    from django.db import connection

    kept = services.advisory_submit(
        organisation=org,
        about="service",
        area="shelter",
        answers={"felt_safe": "yes"},
        contact="line 0700",
        contact_consent=True,
    )
    dropped = services.advisory_submit(
        organisation=org, about="service", area="shelter", answers={}, contact="line 0800", contact_consent=False
    )
    assert kept.contact == "line 0700" and dropped.contact == "" and not dropped.contact_consent
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM policy_advisorysubmission WHERE id = %s", [kept.pk])
        assert "0700" not in cursor.fetchone()[0]
    with pytest.raises(services.PolicyError):
        services.advisory_submit(organisation=org, about="service", area="shelter", answers={"felt_safe": "maybe"})


def test_a_refusal_is_a_validation_error_on_the_field_it_names():
    """The shared views show a ``ValidationError`` on the form field it names; the text stays the message."""
    from django import forms
    from django.core.exceptions import ValidationError

    from threadline.core.errors import error_messages, form_errors

    class TitleForm(forms.Form):
        title = forms.CharField(required=False)

    on_field = services.PolicyError("Give the policy a title.", "title")
    on_top = services.PolicyError("Complete the stages in order.")
    elsewhere = services.PolicyError("Give the number of children who took part.", "participants")
    assert isinstance(on_field, ValidationError)
    assert str(on_field) == on_field.message == "Give the policy a title." and on_field.field == "title"
    assert on_field.message_dict == {"title": ["Give the policy a title."]}
    assert error_messages(on_top) == ["Complete the stages in order."] and on_top.field is None
    form = TitleForm({"title": ""})
    assert form.is_valid()
    for exc in (on_field, on_top, elsewhere):
        form_errors(form, exc)
    assert form.errors["title"] == ["Give the policy a title."]
    assert form.non_field_errors() == ["Complete the stages in order.", "Give the number of children who took part."]


def test_saving_a_stage_keeps_the_answers_when_completing_it_is_refused(org, people):
    officer = people[0]
    a = factories.started(org, officer)
    with pytest.raises(services.PolicyError, match="Answer:"):
        services.stage_save(
            assessment=a, user=officer, stage="screening", answers={"affects_children": "yes"}, complete=True
        )
    assert dict(a.answers.values_list("question_id", "answer")) == {"affects_children": "yes"}
    assert a.completed_stages == [] and a.stage == "screening"
    services.stage_save(assessment=a, user=officer, stage="screening", answers=factories.ANSWERS["screening"])
    assert a.completed_stages == []
    services.stage_save(assessment=a, user=officer, stage="screening", answers={}, complete=True)
    a.refresh_from_db()
    assert a.completed_stages == ["screening"] and a.stage == "scoping"
