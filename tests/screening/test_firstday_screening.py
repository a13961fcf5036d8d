"""Issue #19 item 7: the child sexual-exploitation interview speaks of what the child is made to do, not of
work; examples and drafts are offered apart and used only after a warning; a result prints and downloads."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.screening import factories
from threadline.engines.screening import get_instrument

pytestmark = pytest.mark.django_db

WORK_WORDING = re.compile(r"\b(work|works|working|job|employer|wages?|salary|paid for the work)\b|you work for", re.I)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_child_sexual_exploitation_questions_do_not_speak_of_work(language):
    instrument = get_instrument(factories.CHILD_SEXUAL)
    questions = [instrument.text(f"indicator.{i.id}.question", language) for i in instrument.indicators]
    if language == "en":
        assert not [q for q in questions if WORK_WORDING.search(q)]
    elif language == "fr":
        assert not [q for q in questions if re.search(r"travail|employeur|salaire", q, re.I)]
    else:
        assert not [q for q in questions if re.search(r"العمل|صاحب العمل|أجر", q)]


def test_examples_sit_apart_and_need_a_confirmation(org, make_user, signed_in):
    from threadline.screening.models import Screening

    worker = make_user(org, "caseworker")
    client = signed_in(worker, org)
    page = client.get(reverse("screening:start")).content.decode()
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
    published, examples = groups["Published instruments"], groups["Examples and drafts — not validated"]
    assert factories.CHILD_SEXUAL in published and "example-quick-screen" not in published
    assert "example-quick-screen" in examples and "not validated" in examples
    start = {"instrument": "example-quick-screen", "age_group": "child", "reference": "", "language": "en"}
    refused = client.post(reverse("screening:start"), start)
    assert refused.status_code == 200 and not Screening.objects.exists()
    assert "not validated: confirm" in refused.content.decode()
    assert client.post(reverse("screening:start"), {**start, "confirm_unvalidated": "on"}).status_code == 302
    assert Screening.objects.get().instrument_id == "example-quick-screen"


def test_a_result_downloads_as_a_pdf_and_the_download_is_audited(org, make_user, signed_in):
    from threadline.audit.models import AuditEntry

    worker = make_user(org, "caseworker")
    screening = factories.completed(org, worker)
    factories.contact(org, worker)
    client = signed_in(worker, org)
    page = client.get(reverse("screening:detail", args=[screening.pk])).content.decode()
    assert reverse("screening:result_pdf", args=[screening.pk]) in page
    response = client.get(reverse("screening:result_pdf", args=[screening.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    assert AuditEntry.objects.filter(object_type="screening.screening", action="export").exists()
    arabic = client.get(reverse("screening:result_pdf", args=[screening.pk]), HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.status_code == 200 and arabic.content.startswith(b"%PDF")


def test_an_unfinished_screening_has_no_pdf(org, make_user, signed_in):
    worker = make_user(org, "caseworker")
    screening = factories.start(org, worker)
    assert signed_in(worker, org).get(reverse("screening:result_pdf", args=[screening.pk])).status_code == 404
