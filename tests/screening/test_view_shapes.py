"""The screening pages re-based on the core shapes (issue #17): the same answers as before the move, a
service's refusal shown on top of the start form, and the result PDF's name unchanged."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.screening import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(org, make_user):
    return make_user(org, "caseworker")


def test_a_start_refused_by_the_service_is_shown_on_top_of_the_form(org, worker, signed_in, monkeypatch):
    from threadline.screening import services

    def refuse(**kwargs):
        raise services.ScreeningError("This instrument is not active here.")

    monkeypatch.setattr(services, "screening_start", refuse)
    start = {"instrument": "ilo-2009-child-sexual", "age_group": "child", "reference": "R-1", "language": "en"}
    response = signed_in(worker, org).post(reverse("screening:start"), start)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This instrument is not active here."]


def test_the_result_pdf_keeps_its_name(org, worker, signed_in):
    screening = factories.completed(org, worker)
    response = signed_in(worker, org).get(reverse("screening:result_pdf", args=[screening.pk]))
    name = f"screening-{screening.reference}.pdf".replace("/", "-")
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Cache-Control"] == "no-store"


def test_a_contact_is_saved_with_its_message(org, make_user, signed_in):
    from threadline.screening.models import ReferralContact

    client = signed_in(make_user(org, "supervisor"), org)
    data = {"name": "Duty line", "description": "", "phone": "0800 000", "email": "", "hours": "", "position": 1}
    data |= {"for_children": "on", "is_active": "on"}
    response = client.post(reverse("screening:contact_create"), data)
    assert response.status_code == 302 and response.url == reverse("screening:contacts")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The referral contact was saved."]
    assert ReferralContact.objects.filter(organisation=org, name="Duty line").exists()


def test_an_instrument_upload_is_stored_with_its_message(org, make_user, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(make_user(org, "supervisor"), org)
    upload = SimpleUploadedFile("first-contact.yaml", factories.VALID_INSTRUMENT_YAML.encode())
    response = client.post(reverse("screening:instrument_upload"), {"file": upload})
    assert response.url == reverse("screening:instruments")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Version 1 of harbour-first-contact was stored."]
