"""Pages: the interview flow through the test client, what each role sees, and the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.screening import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(org, make_user):
    return make_user(org, "caseworker")


def _audit(screening, action):
    from threadline.audit.models import AuditEntry

    return AuditEntry.objects.filter(object_type="screening.screening", object_id=str(screening.pk), action=action)


def test_interview_flow_start_steps_save_resume_review_complete(org, worker, signed_in):
    from threadline.screening.models import Screening

    client = signed_in(worker, org)
    response = client.post(
        reverse("screening:start"),
        {"instrument": factories.CHILD_SEXUAL, "age_group": "child", "reference": "HCP-0042", "language": "en"},
    )
    screening = Screening.objects.get(reference="HCP-0042")
    assert response["Location"] == reverse("screening:step", kwargs={"pk": screening.pk, "step": 0})

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Deceptive recruitment" in page.content and b"Step 1 of 7" in page.content
    assert b'value="declined"' in page.content

    step0 = reverse("screening:step", kwargs={"pk": screening.pk, "step": 0})
    response = client.post(step0, {"answer-deceived_job_location_employer": "yes", "note": "", "move": "save"})
    assert response["Location"] == reverse("screening:list")
    response = client.get(reverse("screening:resume", kwargs={"pk": screening.pk}))
    assert response["Location"] == step0
    assert b'value="yes" checked' in client.get(step0).content

    for step in range(7):
        url = reverse("screening:step", kwargs={"pk": screening.pk, "step": step})
        response = client.post(url, {"move": "next"} | ({"answer-excessive_hours": "yes"} if step == 3 else {}))
    assert response["Location"] == reverse("screening:review", kwargs={"pk": screening.pk})
    review = client.get(response["Location"])
    assert b"Excessive working days or hours" in review.content

    response = client.post(reverse("screening:complete", kwargs={"pk": screening.pk}))
    detail = client.get(response["Location"])
    screening.refresh_from_db()
    assert screening.outcome == "further_assessment"
    assert "indicators present — further assessment recommended" in detail.content.decode()
    assert b"Next steps" in detail.content
    # After completion the steps send the worker to the result.
    assert client.get(step0)["Location"] == reverse("screening:detail", kwargs={"pk": screening.pk})
    assert _audit(screening, "create").count() == 1
    assert _audit(screening, "update").count() >= 8
    assert _audit(screening, "view").count() >= 3


def test_back_moves_one_step_and_step_out_of_range_is_404(org, worker, signed_in):
    client = signed_in(worker, org)
    screening = factories.start(org, worker)
    url = reverse("screening:step", kwargs={"pk": screening.pk, "step": 2})
    assert client.post(url, {"move": "back"})["Location"].endswith("/step/1/")
    assert client.get(reverse("screening:step", kwargs={"pk": screening.pk, "step": 42})).status_code == 404


def test_result_page_explains_and_reads_are_audited(org, worker, signed_in):
    screening = factories.completed(org, worker)
    client = signed_in(worker, org)
    content = client.get(reverse("screening:detail", kwargs={"pk": screening.pk})).content.decode()
    assert "presumed victim — reasonable grounds" in content
    assert "Deceived about access to education" in content and "Hazardous work" in content
    assert screening.instrument_id in content and screening.instrument_version in content
    assert "not a victim" not in content.lower()
    assert _audit(screening, "view").count() == 1


def test_no_indicators_result_has_no_next_steps(org, worker, signed_in):
    screening = factories.completed(org, worker, answers={})
    content = signed_in(worker, org).get(reverse("screening:detail", kwargs={"pk": screening.pk})).content.decode()
    assert "no indicators identified at this time" in content
    assert "Next steps" not in content


def test_referral_contacts_shown_are_the_organisations_own_and_fit_the_age(
    org, other_org, worker, make_user, signed_in
):
    admin = make_user(org, "administrator")
    factories.contact(org, admin, name="Child duty line")
    from threadline.screening import services

    services.referral_contact_save(
        organisation=org, user=admin, name="Adult-only service", for_children=False, for_adults=True
    )
    factories.contact(other_org, make_user(other_org, "administrator"), name="Elsewhere line")
    screening = factories.completed(org, worker)
    content = signed_in(worker, org).get(reverse("screening:detail", kwargs={"pk": screening.pk})).content.decode()
    assert "Child duty line" in content
    assert "Adult-only service" not in content and "Elsewhere line" not in content


def test_french_questions_and_outcome(org, worker, signed_in):
    client = signed_in(worker, org)
    client.cookies["django_language"] = "fr"
    screening = factories.start(org, worker, language="fr")
    content = client.get(reverse("screening:step", kwargs={"pk": screening.pk, "step": 0})).content.decode()
    assert "Recrutement trompeur" in content and 'lang="fr"' in content
    done = factories.completed(org, worker)
    content = client.get(reverse("screening:detail", kwargs={"pk": done.pk})).content.decode()
    assert "victime présumée — motifs raisonnables" in content


def test_upload_page_lists_every_problem(org, make_user, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    supervisor = make_user(org, "supervisor")
    text = factories.VALID_INSTRUMENT_YAML.replace("population: any", "population: everyone")
    file = SimpleUploadedFile("broken.yaml", text.encode())
    response = signed_in(supervisor, org).post(reverse("screening:instrument_upload"), {"file": file})
    content = response.content.decode()
    assert response.status_code == 200
    assert "broken.yaml" in content and "population" in content and "was not stored" in content


def test_statistics_count_only_the_organisations_screenings(org, other_org, worker, make_user, signed_in):
    factories.completed(org, worker)
    factories.completed(org, worker, answers={})
    factories.start(org, worker)
    factories.completed(other_org, make_user(other_org, "caseworker"))
    officer = make_user(org, "data_officer")
    response = signed_in(officer, org).get(reverse("screening:statistics"))
    stats = response.context["stats"]
    assert (stats.total, stats.completed, stats.in_progress) == (3, 2, 1)
    assert dict(stats.by_outcome) == {"presumed_victim": 1, "further_assessment": 0, "no_indicators": 1}
    assert dict(stats.by_dimension) == {"deceptive_recruitment": 1, "exploitation": 1}
    assert response.content.count(b"<svg") == 2
    assert b"S-" not in response.content  # no references, only counts
    from threadline.audit.models import AuditEntry

    assert AuditEntry.objects.filter(object_type="screening.statistics", actor_id=officer.pk, action="view").exists()


def test_open_case_once_then_the_result_links_to_it(org, worker, signed_in):
    from threadline.cases.models import Case

    screening = factories.completed(org, worker)
    client = signed_in(worker, org)
    detail = reverse("screening:detail", kwargs={"pk": screening.pk})
    assert "Open a protection case" in client.get(detail).content.decode()
    response = client.post(reverse("screening:open_case", kwargs={"pk": screening.pk}))
    case = Case.objects.get(screening=screening)
    assert response["Location"] == case.get_absolute_url()
    content = client.get(detail).content.decode()
    assert case.code in content and "Open a protection case" not in content
    client.post(reverse("screening:open_case", kwargs={"pk": screening.pk}))
    assert Case.objects.filter(screening=screening).count() == 1
