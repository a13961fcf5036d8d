"""Pages: the public register (search, child-friendly version, PDF in Arabic), the anonymous survivor form, and
service quality that protection teams see only in aggregate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.policy import factories
from threadline.policy import services
from threadline.policy.models import AdvisorySubmission

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(org, make_user):
    people = (make_user(org, "policy_officer"), make_user(org, "policy_reviewer"), make_user(org, "policy_approver"))
    return factories.published(org, *people)


def test_the_public_register_lists_searches_and_shows_the_child_friendly_version(client, published):
    page = client.get(reverse("rights:register"))
    assert published.policy.title in page.content.decode()
    assert (
        published.policy.title not in client.get(reverse("rights:register"), {"q": "nothing like it"}).content.decode()
    )
    detail = client.get(reverse("rights:detail", args=[published.pk])).content.decode()
    assert "We listened." in detail and "35. Prevention of abduction, sale and trafficking" in detail


def test_a_draft_is_not_in_the_register(client, org, make_user):
    draft = factories.started(org, make_user(org, "policy_officer"))
    assert client.get(reverse("rights:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("rights:pdf", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_pdf_exports_in_each_language(client, published, language):
    response = client.get(reverse("rights:pdf", args=[published.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_survivor_gives_feedback_without_an_account_and_contact_only_with_consent(client, org):
    url = reverse("rights:advisory", args=[org.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"about": "service", "area": "shelter", "felt_safe": "yes", "contact": "0700"})
    assert response.status_code == 200 and AdvisorySubmission.objects.count() == 0  # contact without consent
    response = client.post(url, {"about": "service", "area": "shelter", "felt_safe": "yes", "respected": "partly"})
    assert response.status_code == 302
    saved = AdvisorySubmission.objects.get()
    assert saved.felt_safe == "yes" and saved.contact == "" and saved.received_on


def test_protection_teams_see_only_suppressed_aggregates(org, make_user, signed_in):
    for answer, n in (("yes", 20), ("no", 14)):
        for _i in range(n):
            services.advisory_submit(
                organisation=org,
                about="service",
                area="shelter",
                answers={"felt_safe": answer},
                comments="A sentence only the policy team may read.",
            )
    services.advisory_submit(organisation=org, about="service", area="legal", answers={"felt_safe": "no"})
    worker = signed_in(make_user(org, "caseworker"), org)
    page = worker.get(reverse("policy:service_quality")).content.decode()
    assert "58.8 %" in page  # 20 of 34
    assert "A sentence only the policy team may read." not in page
    assert worker.get(reverse("policy:advisory_list")).status_code == 403


def test_the_survivor_form_is_limited_per_connection_with_a_kind_message(client, org):
    from threadline.policy.public import ADVISORY_LIMIT

    url = reverse("rights:advisory", args=[org.slug])
    answer = {"about": "service", "area": "shelter", "felt_safe": "yes"}
    for _i in range(ADVISORY_LIMIT.attempts):
        assert client.post(url, answer).status_code == 302
    response = client.post(url, {**answer, "comments": "Kept on the page."})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Thank you for wanting to tell us more." in page and "Kept on the page." in page
    assert AdvisorySubmission.objects.count() == ADVISORY_LIMIT.attempts
    # Another connection is not limited by this one.
    assert client.post(url, answer, REMOTE_ADDR="192.0.2.99").status_code == 302
    assert AdvisorySubmission.objects.count() == ADVISORY_LIMIT.attempts + 1


def test_a_form_with_mistakes_does_not_use_up_the_limit(client, org):
    from threadline.policy.public import ADVISORY_LIMIT

    url = reverse("rights:advisory", args=[org.slug])
    for _i in range(ADVISORY_LIMIT.attempts + 2):
        assert client.post(url, {"about": "service", "contact": "0700"}).status_code == 200
    assert client.post(url, {"about": "service", "area": "shelter"}).status_code == 302
