"""Issue #19 item 4: the screening's immediate-safety answers reach the case, its plan and a supervisor."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.screening import factories
from threadline.cases import vocabulary as v
from threadline.cases.models import Approval, PlanTask
from threadline.screening import services as screening_services

pytestmark = pytest.mark.django_db

ALARMING = {"danger_now": "yes", "safe_place_tonight": "no", "urgent_medical_care": "no"}


def _screened(org, worker, safety):
    screening = factories.completed(org, worker)
    return screening_services.screening_record_safety(screening=screening, user=worker, answers=safety)


def test_safety_answers_make_the_case_urgent_with_tasks_due_today_and_a_supervisor_told(org, make_user, signed_in):
    worker, supervisor = make_user(org, "caseworker"), make_user(org, "supervisor")
    screening = _screened(org, worker, ALARMING)

    case = screening_services.screening_open_case(screening=screening, user=worker)

    assert case.safety_concerns == [v.SafetyConcern.DANGER_NOW, v.SafetyConcern.NO_SAFE_PLACE]
    tasks = PlanTask.objects.filter(case=case)
    assert tasks.count() == 2
    assert {t.due_on for t in tasks} == {timezone.localdate()} and {t.assigned_to for t in tasks} == {worker}
    approval = Approval.objects.get(case=case)
    assert approval.subject == Approval.Subject.SAFETY and approval.decision == Approval.Decision.PENDING

    board = signed_in(supervisor, org).get(reverse("cases:dashboard")).content.decode()
    assert 'id="h-urgent"' in board and case.code in board and "In danger now" in board
    page = signed_in(worker, org).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="safety-concerns"' in page and "No safe place to stay tonight" in page
    listing = signed_in(worker, org).get(reverse("cases:list")).content.decode()
    assert "Urgent safety" in listing


def test_safety_recorded_after_the_case_opened_still_reaches_it_once(org, make_user):
    worker = make_user(org, "caseworker")
    screening = _screened(org, worker, {"danger_now": "no", "safe_place_tonight": "yes"})
    case = screening_services.screening_open_case(screening=screening, user=worker)
    assert case.safety_concerns == [] and not Approval.objects.filter(case=case).exists()

    screening_services.screening_record_safety(screening=screening, user=worker, answers={"danger_now": "yes"})
    screening_services.screening_record_safety(screening=screening, user=worker, answers={"danger_now": "yes"})

    case.refresh_from_db()
    assert case.safety_concerns == [v.SafetyConcern.DANGER_NOW]
    assert PlanTask.objects.filter(case=case).count() == 1
    assert Approval.objects.filter(case=case, subject=Approval.Subject.SAFETY).count() == 1


def test_a_supervisor_confirms_a_safety_concern_without_moving_the_case_on(org, make_user):
    from threadline.cases.services import approval_decide

    worker, supervisor = make_user(org, "caseworker"), make_user(org, "supervisor")
    case = screening_services.screening_open_case(screening=_screened(org, worker, ALARMING), user=worker)
    approval = approval_decide(approval=Approval.objects.get(case=case), user=supervisor, approve=True)
    case.refresh_from_db()
    assert approval.decision == Approval.Decision.APPROVED and case.status == v.Status.OPEN


def test_a_caseworker_cannot_ask_for_a_safety_approval_by_hand(org, make_user):
    from django.core.exceptions import ValidationError

    from tests.cases.factories import new_case
    from threadline.cases.services import approval_request

    worker = make_user(org, "caseworker")
    with pytest.raises(ValidationError):
        approval_request(case=new_case(org, worker), user=worker, subject=Approval.Subject.SAFETY)
