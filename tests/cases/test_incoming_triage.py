"""Issue #19 item 8: incoming referrals show the child's needs, urgency and what was shared, in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import consent, new_case, new_org, new_user, partners
from threadline.cases.services import assessment_save, case_flag_safety, referral_create, service_add

pytestmark = pytest.mark.django_db


def _referral(org, *, urgent: bool):
    sender = new_org()
    partners(sender, org)
    worker = new_user(sender)
    case = new_case(sender, worker, reflection_end=timezone.localdate() + timedelta(days=3))
    consent(case, worker, "services")
    consent(case, worker, "sharing", partner=org, shares=["summary", "services"])
    assessment_save(case=case, user=worker, needs=["psychosocial", "shelter"])
    service_add(case=case, user=worker, kind="shelter", provider="Harbour House", status="ongoing")
    if urgent:
        case_flag_safety(case=case, user=worker, concerns=["safe_place_tonight"])
    return referral_create(case=case, user=worker, to_organisation=org, reason="Needs a place near school",
                           services=["shelter", "legal_aid"], shares=["summary", "services"])  # fmt: skip


def test_the_list_tells_referrals_apart_in_words(org, make_user, signed_in):
    urgent, calm = _referral(org, urgent=True), _referral(org, urgent=False)
    worker = make_user(org, "caseworker")
    page = signed_in(worker, org).get(reverse("cases:incoming")).content.decode()
    assert "No safe place to stay tonight" in page and "Reflection period ends in 3 days" in page
    assert "Legal aid, Safe accommodation" in page and "the services so far, a summary of the case" in page
    assert "Child (under 18)" in page
    assert ">shelter<" not in page and "legal_aid" not in page and "psychosocial" not in page
    assert urgent.pk != calm.pk


def test_the_detail_shows_needs_and_services_in_words(org, make_user, signed_in):
    referral = _referral(org, urgent=True)
    worker = make_user(org, "caseworker")
    page = signed_in(worker, org).get(reverse("cases:incoming_detail", args=[referral.pk])).content.decode()
    assert 'id="urgency"' in page and "No safe place to stay tonight" in page
    assert "Psychosocial support, Safe accommodation" in page
    assert "Safe accommodation · <bdi>Harbour House</bdi>" in page and "Ongoing" in page
    for code in ("psychosocial", "shelter ·", "ongoing", "legal_aid"):
        assert code not in page
