"""The policy pages on the shared scoped views (issue #17): a refusal of the rules reaches the person the same
way as before the move. A form shows it on the field it names (on top of the form when the form has no such
field) and is shown again with a 200; an action redirects to the page it returns to with the refusal as a
message; the stage page redirects to itself. Another organisation's assessment stays a 404."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.policy import factories
from threadline.core.views import ScopedActionView, ScopedFormView, ScopedTemplateView
from threadline.policy import services, views
from threadline.policy.models import Assessment, AssessmentVersion, Decision, Indicator, Policy, StageAnswer

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def people(org, make_user):
    return (make_user(org, "policy_officer"), make_user(org, "policy_reviewer"), make_user(org, "policy_approver"))


@pytest.fixture
def officer_client(people, org, signed_in):
    return signed_in(people[0], org)


# -- forms: the refusal on the form ------------------------------------------------------------------------------
def test_a_refusal_naming_a_field_is_shown_on_that_field(officer_client, people, org):
    a = factories.started(org, people[0])
    response = officer_client.post(
        reverse("policy:impacts", args=[a.pk]),
        {"article": "crc-34", "group": "all", "rating": "negative", "reasoning": "Longer journeys."},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["mitigation"] == ["A negative impact needs a mitigation."]
    assert form.non_field_errors() == []
    assert not a.impacts.exists()


def test_a_refusal_naming_a_field_the_form_lacks_is_shown_on_top(officer_client, people, org):
    a = factories.started(org, people[0])
    response = officer_client.post(
        reverse("policy:consultation_create", args=[a.pk]),
        {"method": "workshop", "held_on": "2026-03-01", "what_they_said": "Late buses.", "how_it_changed": "A bus."},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert form.non_field_errors() == ["Give the number of children who took part."]
    assert not a.consultations.exists()


def test_a_change_to_an_assessment_with_the_reviewer_is_refused_on_top_of_the_form(officer_client, people, org):
    a = factories.submitted(org, people[0])
    response = officer_client.post(reverse("policy:decision", args=[a.pk]), {"outcome": "changed"})
    assert response.status_code == 200  # the form's own check first: the reasons are required
    assert "rationale" in response.context["form"].errors
    response = officer_client.post(
        reverse("policy:decision", args=[a.pk]),
        {"outcome": "changed", "rationale": "Another bus.", "decided_on": "2026-04-02"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This assessment is With the reviewer: it cannot be changed now."
    ]
    assert Decision.objects.get(assessment=a).rationale == "Extra bus."


def test_publishing_before_approval_is_refused_on_the_form_and_publishing_after_says_so(officer_client, people, org):
    officer, reviewer, approver = people
    a = factories.reviewed(org, officer, reviewer)
    publisher = officer_client
    data = {"summary": "Summary.", "child_friendly_summary": "We listened.", "language": "en"}
    response = publisher.post(reverse("policy:publish", args=[a.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The assessment must be approved before it is published."]
    services.assessment_approve(assessment=a, user=approver, approved=True)
    response = publisher.post(reverse("policy:publish", args=[a.pk]), data)
    assert response.status_code == 302 and response.url == reverse("policy:assessment", args=[a.pk])
    assert _messages(response) == ["Published in the public register."]
    a.refresh_from_db()
    assert a.status == Assessment.Status.PUBLISHED


def test_a_new_policy_goes_to_its_page_and_the_form_goes_back_to_the_list(officer_client):
    page = officer_client.get(reverse("policy:create"))
    assert page.status_code == 200 and page.context["back"] == reverse("policy:list")
    response = officer_client.post(reverse("policy:create"), {"title": "Safer journeys", "kind": "policy"})
    policy = Policy.objects.get(title="Safer journeys")
    assert response.status_code == 302 and response.url == reverse("policy:detail", args=[policy.pk])


# -- actions: the refusal as a message on the page returned to -----------------------------------------------
def test_an_incomplete_assessment_is_not_sent_for_review(officer_client, people, org):
    a = factories.started(org, people[0])
    response = officer_client.post(reverse("policy:submit", args=[a.pk]))
    assert response.status_code == 302 and response.url == reverse("policy:assessment", args=[a.pk])
    assert _messages(response) == ["Complete every stage up to the decision first."]
    a.refresh_from_db()
    assert a.status == Assessment.Status.DRAFT and not AssessmentVersion.objects.filter(assessment=a).exists()


def test_sending_for_review_says_so(officer_client, people, org):
    a = factories.ready_for_review(org, people[0])
    response = officer_client.post(reverse("policy:submit", args=[a.pk]))
    assert response.url == reverse("policy:assessment", args=[a.pk])
    assert _messages(response) == ["Sent for review."]


def test_an_author_cannot_review_and_the_refusal_is_a_message(people, org, signed_in):
    officer, reviewer, _approver = people
    a = factories.submitted(org, officer)
    a.authors.add(reviewer)
    response = signed_in(reviewer, org).post(reverse("policy:review", args=[a.pk]), {"decision": "pass"})
    assert response.url == reverse("policy:assessment", args=[a.pk])
    assert _messages(response) == ["You wrote part of this assessment: someone else must review it."]


def test_a_review_and_an_approval_say_what_was_decided(people, org, signed_in):
    officer, reviewer, approver = people
    a = factories.submitted(org, officer)
    response = signed_in(reviewer, org).post(reverse("policy:review", args=[a.pk]), {"decision": "pass"})
    assert _messages(response) == ["Review passed."]
    response = signed_in(approver, org).post(
        reverse("policy:approve", args=[a.pk]), {"decision": "return", "comment": "Cite the 2025 survey."}
    )
    assert response.url == reverse("policy:assessment", args=[a.pk])
    assert _messages(response)[-1] == "Returned to the authors."  # after the reviewer's, not yet read


def test_an_unknown_template_is_refused_with_a_message_on_the_policy(officer_client, people, org):
    policy = factories.policy(org, people[0])
    response = officer_client.post(reverse("policy:assessment_start", args=[policy.pk]), {"template": "no-such"})
    assert response.url == reverse("policy:detail", args=[policy.pk])
    assert _messages(response) == ["No such assessment template."]
    response = officer_client.post(
        reverse("policy:assessment_start", args=[policy.pk]), {"template": factories.TEMPLATE}
    )
    started = policy.assessments.get()
    assert response.url == reverse("policy:stage", args=[started.pk, "screening"])


def test_an_incomplete_result_is_refused_with_a_message_on_the_policy(officer_client, people, org):
    policy = factories.policy(org, people[0])
    response = officer_client.post(reverse("policy:result_add", args=[policy.pk]), {"level": "output"})
    assert response.url == reverse("policy:detail", args=[policy.pk])
    assert _messages(response) == ["Choose a level and describe the result."]
    assert not policy.results.exists()


def test_indicator_values_are_refused_with_a_message_on_the_indicator(people, org, make_user, signed_in):
    policy = factories.policy(org, people[0])
    data_client = signed_in(make_user(org, "data_officer"), org)
    manual = services.indicator_create(policy=policy, user=people[0], name="Children reached")
    computed = services.indicator_create(
        policy=policy, user=people[0], name="Detected victims", source=Indicator.Source.SDG_16_2_2
    )
    response = data_client.post(reverse("policy:indicator_value", args=[manual.pk]), {"period": "2025"})
    assert response.url == reverse("policy:indicator", args=[manual.pk])
    assert _messages(response) == ["Give a period and a number."]
    response = data_client.post(reverse("policy:indicator_value", args=[computed.pk]), {"period": "2025", "value": "3"})
    assert _messages(response)[-1] == "This indicator is computed from Threadline data: use Recompute."
    assert not manual.values.exists() and not computed.values.exists()


def test_the_last_evidence_of_a_completed_stage_stays_and_the_refusal_is_a_message(officer_client, people, org):
    officer = people[0]
    a = factories.started(org, officer)
    for stage in ("screening", "scoping"):
        factories.complete(a, officer, stage)
    item = services.evidence_add_citation(assessment=a, user=officer, citation="City travel survey 2025")
    factories.complete(a, officer, "evidence")
    response = officer_client.post(reverse("policy:evidence_delete", args=[a.pk, item.pk]))
    assert response.url == reverse("policy:stage", args=[a.pk, "evidence"])
    assert _messages(response) == ["The evidence stage is complete: it keeps at least one piece of evidence."]
    assert a.evidence.filter(pk=item.pk).exists()


def test_an_action_is_a_post(officer_client, people, org):
    a = factories.started(org, people[0])
    assert officer_client.get(reverse("policy:submit", args=[a.pk])).status_code == 405


# -- the stage page: answers saved, the stage completed, a refusal on the stage ---------------------------------
def test_answers_are_saved_and_the_page_says_so(officer_client, people, org):
    a = factories.started(org, people[0])
    url = reverse("policy:stage", args=[a.pk, "screening"])
    response = officer_client.post(url, {"q-affects_children": "yes"})
    assert response.url == url and _messages(response) == ["Answers saved."]
    assert StageAnswer.objects.get(assessment=a, question_id="affects_children").answer == "yes"


def test_a_refused_completion_keeps_the_answers_and_says_what_is_missing(officer_client, people, org):
    a = factories.started(org, people[0])
    url = reverse("policy:stage", args=[a.pk, "screening"])
    response = officer_client.post(url, {"q-affects_children": "yes", "complete": "1"})
    assert response.status_code == 302 and response.url == url
    [message] = _messages(response)
    assert message.startswith("Answer: ")
    assert StageAnswer.objects.get(assessment=a, question_id="affects_children").answer == "yes"
    a.refresh_from_db()
    assert a.completed_stages == []


def test_a_refused_answer_is_a_message_on_the_stage(officer_client, people, org):
    a = factories.started(org, people[0])
    url = reverse("policy:stage", args=[a.pk, "screening"])
    response = officer_client.post(url, {"q-affects_children": "perhaps"})
    assert response.url == url and _messages(response) == ["Answer yes or no."]
    assert not StageAnswer.objects.filter(assessment=a).exists()


def test_a_completed_stage_opens_the_next_and_a_no_at_the_gate_screens_out(officer_client, people, org):
    a = factories.started(org, people[0])
    response = officer_client.post(
        reverse("policy:stage", args=[a.pk, "screening"]), {**_answers("screening"), "complete": "1"}
    )
    assert response.url == reverse("policy:stage", args=[a.pk, "scoping"]) and _messages(response) == []
    b = factories.started(org, people[0])
    response = officer_client.post(
        reverse("policy:stage", args=[b.pk, "screening"]),
        {"q-affects_children": "no", "q-which_children": "None.", "complete": "1"},
    )
    assert response.url == reverse("policy:assessment", args=[b.pk])
    assert _messages(response) == ["Screened out: the policy does not affect children. The reason is kept."]


def test_an_unknown_stage_is_not_found(officer_client, people, org):
    a = factories.started(org, people[0])
    assert officer_client.get(reverse("policy:stage", args=[a.pk, "nowhere"])).status_code == 404
    assert officer_client.post(reverse("policy:stage", args=[a.pk, "nowhere"]), {}).status_code == 404


def _answers(stage: str) -> dict[str, str]:
    return {f"q-{key}": value for key, value in factories.ANSWERS[stage].items()}


# -- another organisation's assessment ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "extra"),
    [("stage", ["screening"]), ("submit", []), ("decision", []), ("impacts", []), ("evidence_citation", [])],
)
def test_another_organisations_assessment_is_not_found(name, extra, people, org, other_org, make_user, signed_in):
    a = factories.started(org, people[0])
    stranger = signed_in(make_user(other_org, "policy_officer"), other_org)
    assert stranger.post(reverse(f"policy:{name}", args=[a.pk, *extra]), {}).status_code == 404
    assert not AssessmentVersion.objects.filter(assessment=a).exists()


# -- every page on one of the shared shapes ----------------------------------------------------------------------
SHAPES = {
    ScopedFormView: {
        "PolicyCreateView",
        "IndicatorCreateView",
        "EvidenceCitationView",
        "EvidenceReleaseView",
        "EvidencePreventionView",
        "EvidenceEditView",
        "ConsultationCreateView",
        "ConsultationEditView",
        "ConsultationFeedbackView",
        "ImpactView",
        "DecisionView",
        "PublishView",
        "PopulationView",
    },
    ScopedActionView: {
        "AssessmentStartView",
        "ResultAddView",
        "EvidenceDeleteView",
        "ConsultationDeleteView",
        "SubmitView",
        "CommentView",
        "ReviewView",
        "ApproveView",
        "IndicatorValueView",
        "IndicatorRecomputeView",
        "IndicatorReviewedView",
        "StageView",
    },
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_forms_and_actions_are_on_the_shared_shapes(shape):
    assert all(issubclass(getattr(views, name), shape) for name in SHAPES[shape])


def test_the_stage_is_a_page_and_an_action():
    assert issubclass(views.StageView, ScopedTemplateView) and issubclass(views.StageView, ScopedActionView)
    assert {"get", "post"} <= set(views.StageView.http_method_names)
