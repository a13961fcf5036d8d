"""The prevention pages on the shared scoped views (issue #17): a service's refusal reaches the person the same
way as before the move (on the field it names, on top of the form, or as a message on the page redirected
to), a page that is read by one permission is submitted only with another, and the downloads are unchanged."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.prevention import factories as f
from threadline.audit.models import AuditEntry
from threadline.prevention.models import Concern, District, PublishedSummary

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def coordinator(org, make_user):
    return make_user(org, "prevention_coordinator")


@pytest.fixture
def coordinator_client(coordinator, org, signed_in):
    return signed_in(coordinator, org)


# -- forms: a refusal shows on the form ----------------------------------------------------------------
def test_a_school_refusal_is_shown_on_the_field_it_names(coordinator_client, org):
    district = f.district(org)
    f.school(org, name="Hillside", in_district=district)
    response = coordinator_client.post(
        reverse("prevention:school_create"), {"name": "Hillside", "district": district.pk, "kind": "primary"}
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["name"] == ["There is already a school with this name."]


def test_a_plan_refusal_is_shown_on_top_of_the_form(coordinator_client, org, monkeypatch):
    from threadline.prevention import services

    def refuse(**kwargs):
        raise services.PreventionError("The plan ends before it starts.", "ends_on")

    monkeypatch.setattr(services, "plan_create", refuse)
    response = coordinator_client.post(
        reverse("prevention:plan_create"),
        {
            "school": f.school(org).pk,
            "curriculum": f.CURRICULUM,
            "questionnaire": f.QUESTIONNAIRE,
            "starts_on": "2026-01-05",
            "ends_on": "2026-06-30",
        },
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert form.non_field_errors() == ["The plan ends before it starts."]
    assert "ends_on" not in form.errors  # a plan's refusal stays on top, whatever field it names


def test_a_session_refusal_is_shown_on_its_field(coordinator_client, coordinator, org):
    plan = f.plan(org)
    response = coordinator_client.post(
        reverse("prevention:session_log"),
        {"plan": plan.pk, "module_session": "nope/nope", "delivered_on": "2026-02-03", "class_label": "8B"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors  # refused by the form or by the service, never saved
    from threadline.prevention.models import SessionDelivery

    assert not SessionDelivery.objects.exists()


def test_a_refused_curriculum_lists_its_problems_without_a_form_error(coordinator_client):
    upload = SimpleUploadedFile("c.json", b"{not json", content_type="application/json")
    response = coordinator_client.post(reverse("prevention:curricula"), {"file": upload})
    assert response.status_code == 200
    assert response.context["problems"]
    assert response.context["form"].errors == {}


def test_a_district_is_saved_with_its_message(coordinator_client, org):
    response = coordinator_client.post(reverse("prevention:districts"), {"name": "North"})
    assert response.url == reverse("prevention:districts")
    assert _messages(response) == ["District saved."]
    assert District.objects.filter(organisation=org, name="North").exists()


# -- a page read by one permission, submitted with another ---------------------------------------------
@pytest.mark.parametrize(
    ("role", "name", "data"),
    [
        ("data_officer", "districts", {"name": "North"}),
        ("supervisor", "protocol", {"acknowledge_within_hours": 4, "close_within_hours": 72}),
    ],
)
def test_reading_a_page_does_not_allow_submitting_it(role, name, data, org, make_user, signed_in):
    client = signed_in(make_user(org, role), org)
    assert client.get(reverse(f"prevention:{name}")).status_code == 200
    before = AuditEntry.objects.count()
    assert client.post(reverse(f"prevention:{name}"), data).status_code == 403
    assert not District.objects.exists()
    assert AuditEntry.objects.count() == before  # as before the move: the refused submission writes nothing


# -- actions: a refusal becomes a message -----------------------------------------------------------------
def test_closing_a_concern_without_an_outcome_is_refused_with_a_message(coordinator_client, coordinator, org):
    concern = f.concern(org, coordinator)
    response = coordinator_client.post(reverse("prevention:concern_close", args=[concern.pk]), {"outcome": ""})
    assert response.url == reverse("prevention:concern_detail", args=[concern.pk])
    assert _messages(response) == ["Choose how the concern was handled."]
    concern.refresh_from_db()
    assert concern.closed_at is None


def test_acknowledging_and_closing_a_concern_say_so(coordinator_client, coordinator, org):
    concern = f.concern(org, coordinator)
    response = coordinator_client.post(reverse("prevention:concern_acknowledge", args=[concern.pk]))
    assert (response.url, _messages(response)) == (
        reverse("prevention:concern_detail", args=[concern.pk]),
        ["Acknowledged."],
    )
    response = coordinator_client.post(reverse("prevention:concern_close", args=[concern.pk]), {"outcome": "school"})
    assert _messages(response) == ["Acknowledged.", "Marked as handled."]  # the first was never shown


def test_a_role_without_screening_is_told_to_ask_a_caseworker(coordinator_client, coordinator, org):
    concern = f.concern(org, coordinator)
    response = coordinator_client.post(reverse("prevention:concern_screening", args=[concern.pk]))
    assert response.url == reverse("prevention:concern_detail", args=[concern.pk])
    assert _messages(response) == ["Your role cannot open a screening; ask a caseworker or supervisor."]


def test_a_supervisor_opens_the_screening_start(org, make_user, signed_in, coordinator):
    concern = f.concern(org, coordinator)
    client = signed_in(make_user(org, "supervisor"), org)
    response = client.post(reverse("prevention:concern_screening", args=[concern.pk]))
    assert response.url == f"{reverse('screening:start')}?instrument=ilo-2009-child-sexual"


def test_an_incomplete_training_is_refused_with_a_message(coordinator_client, coordinator, org):
    facilitator = f.facilitator_for(org, coordinator, [f.school(org)])
    response = coordinator_client.post(reverse("prevention:training_add", args=[facilitator.pk]), {"course": ""})
    assert response.url == reverse("prevention:facilitators")
    assert _messages(response) == ["The training was not recorded: give a course and a date."]


def test_a_responses_upload_without_a_file_is_refused_with_a_message(coordinator_client, org):
    plan = f.plan(org)
    response = coordinator_client.post(reverse("prevention:responses_upload", args=[plan.pk]), {})
    assert response.url == reverse("prevention:plan_detail", args=[plan.pk])
    assert _messages(response) == ["Choose a CSV file."]


def test_a_responses_upload_refused_by_the_service_is_a_message(coordinator_client, org, monkeypatch):
    from threadline.prevention import services

    def refuse(**kwargs):
        raise services.PreventionError("The file has no header row.")

    monkeypatch.setattr(services, "responses_upload", refuse)
    plan = f.plan(org)
    upload = SimpleUploadedFile("r.csv", b"x\n1\n", content_type="text/csv")
    response = coordinator_client.post(reverse("prevention:responses_upload", args=[plan.pk]), {"file": upload})
    assert response.url == reverse("prevention:plan_detail", args=[plan.pk])
    assert _messages(response) == ["The file has no header row."]


def test_an_invalid_concern_shows_the_session_page_with_400(org, make_user, signed_in):
    facilitator = make_user(org, "facilitator")
    delivery = f.session(org, facilitator, f.plan(org, f.school(org)))
    f.facilitator_for(org, facilitator, [delivery.plan.school])
    client = signed_in(facilitator, org)
    response = client.post(reverse("prevention:concern_create", args=[delivery.pk]), {"category": ""})
    assert response.status_code == 400
    assert response.context["delivery"] == delivery
    assert response.context["concern_form"].errors
    assert not Concern.objects.exists()
    assert client.get(reverse("prevention:concern_create", args=[delivery.pk])).status_code == 405


def test_closing_a_round_and_publishing_say_so(coordinator_client, coordinator, org):
    survey_round = f.survey_round(org, coordinator)
    response = coordinator_client.post(reverse("prevention:round_close", args=[survey_round.pk]))
    assert response.url == reverse("prevention:round_detail", args=[survey_round.pk])
    assert _messages(response) == ["The survey is closed: the code no longer works."]
    response = coordinator_client.post(reverse("prevention:publish"))
    assert response.url == reverse("prevention:dashboard")
    assert _messages(response)[-1] == "Published: the public page now shows these suppressed figures."
    assert PublishedSummary.objects.filter(organisation=org).count() == 1


# -- another organisation's object stays a 404 -------------------------------------------------------------
@pytest.mark.parametrize("name", ["concern_acknowledge", "concern_close", "concern_detail"])
def test_another_organisations_concern_is_not_found(name, org, other_org, make_user, signed_in, coordinator):
    concern = f.concern(org, coordinator)
    stranger = signed_in(make_user(other_org, "prevention_coordinator"), other_org)
    method = stranger.get if name == "concern_detail" else stranger.post
    assert method(reverse(f"prevention:{name}", args=[concern.pk])).status_code == 404


# -- downloads: unchanged --------------------------------------------------------------------------------
def test_the_htype_csv_is_unchanged_and_audited(coordinator_client, coordinator, org):
    f.session(org, coordinator)
    response = coordinator_client.get(reverse("prevention:export", args=["csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="htype-indicators-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    from threadline.prevention import selectors

    assert rows[0] == selectors.HTYPE_COLUMNS
    assert len(rows) == 1 + len(selectors.htype_rows(organisation=org))
    entry = AuditEntry.objects.filter(action="export", object_type="prevention.htype").get()
    assert (entry.object_id, entry.note) == ("csv", f"{len(rows) - 1} rows")


def test_the_htype_workbook_has_the_same_rows(coordinator_client, coordinator, org):
    from openpyxl import load_workbook

    f.session(org, coordinator)
    csv_rows = list(
        csv.reader(io.StringIO(coordinator_client.get(reverse("prevention:export", args=["csv"])).content.decode()))
    )
    response = coordinator_client.get(reverse("prevention:export", args=["xlsx"]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "HTYPE indicators"
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(csv_rows) and cells[0] == csv_rows[0]
    assert coordinator_client.get(reverse("prevention:export", args=["pdf"])).status_code == 404


def test_a_loaded_curriculum_downloads_as_its_json(coordinator_client, coordinator, org):
    from threadline.prevention.models import OrganisationCurriculum

    upload = OrganisationCurriculum.objects.create(
        organisation=org, curriculum_id="own", version="1.0", content={"id": "own", "title": {"en": "Écoles"}}
    )
    response = coordinator_client.get(reverse("prevention:curriculum_download", args=[upload.pk]))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="own-1.0.json"'
    assert response.content == json.dumps(upload.content, ensure_ascii=False, indent=2).encode()
