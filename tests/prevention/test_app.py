"""Services, scoping, the pupils' survey, paper uploads, safeguarding, aggregates and exports."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.db import models
from django.utils import timezone

from tests.prevention import factories as f
from threadline.core.fields import EncryptedTextField
from threadline.prevention import selectors, services
from threadline.prevention.models import Concern, OutcomeTally, SurveyResponse

pytestmark = pytest.mark.django_db

#: Organisation-level names (a school, a district) are not people; everything else named like this is refused.
ALLOWED_NAMES = {("school", "name"), ("district", "name")}
IDENTIFYING = ("name", "email", "phone", "birth", "dob", "address", "ip_", "surname", "first", "last_name")


def test_no_prevention_table_holds_identifying_fields():
    from django.apps import apps

    problems = []
    for model in apps.get_app_config("prevention").get_models():
        for field in model._meta.concrete_fields:
            key = (model._meta.model_name, field.name)
            lowered = field.name.lower()
            if key not in ALLOWED_NAMES and any(word in lowered for word in IDENTIFYING):
                problems.append(f"{model.__name__}.{field.name} looks identifying")
            if isinstance(field, models.TextField) and not isinstance(field, EncryptedTextField):
                problems.append(f"{model.__name__}.{field.name} is free text that is not encrypted")
            if isinstance(field, models.GenericIPAddressField):
                problems.append(f"{model.__name__}.{field.name} holds an address")
    assert not problems, problems
    response_fields = {f.name for f in SurveyResponse._meta.concrete_fields}
    assert not any(isinstance(f, models.DateTimeField) for f in SurveyResponse._meta.concrete_fields)
    assert "pair_key" in response_fields and "code" not in response_fields


def test_facilitator_sees_only_their_schools(org, make_user):
    facilitator = make_user(org, "facilitator")
    mine, theirs = f.school(org), f.school(org)
    f.facilitator_for(org, facilitator, [mine])
    f.plan(org, mine)
    f.plan(org, theirs)
    assert list(selectors.schools(user=facilitator, organisation=org)) == [mine]
    assert {p.school for p in selectors.plans(user=facilitator, organisation=org)} == {mine}
    stranger = make_user(org, "facilitator")  # no facilitator record: sees nothing (deny by default)
    assert not selectors.schools(user=stranger, organisation=org).exists()
    coordinator = make_user(org, "prevention_coordinator")
    assert selectors.schools(user=coordinator, organisation=org).count() == 2


def test_session_log_checks_the_curriculum_and_keeps_class_reach(org, make_user):
    user = make_user(org, "prevention_coordinator")
    plan = f.plan(org)
    with pytest.raises(services.PreventionError) as exc:
        services.session_log(
            user=user,
            plan=plan,
            module_session="nope/nope",
            delivered_on=timezone.localdate(),
            class_label="8B",
            attendance={},
        )
    assert exc.value.field == "module_session"
    f.session(org, user, plan, pupils=20)
    f.session(org, user, plan, pupils=24)
    cov = selectors.coverage(organisation=org)
    assert cov["pupils_total"] == 24  # the same class twice: the larger attendance, not the sum
    assert cov["districts"][0]["pupils_reached"] == 24


def test_survey_code_flow_records_an_anonymous_response(org, make_user, client):
    from threadline.audit.models import AuditEntry

    user = make_user(org, "prevention_coordinator")
    survey_round = f.survey_round(org, user)
    assert len(survey_round.code) == services.CODE_LENGTH
    response = client.post("/survey/", {"code": "WRONG1"})
    assert response.status_code == 400 and "does not work" in response.content.decode()
    response = client.post("/survey/", {"code": survey_round.code.lower()})
    assert response.status_code == 302 and response["Location"] == "/survey/questions/"
    page = client.get("/survey/questions/")
    assert b"<fieldset" in page.content and b"<legend>" in page.content
    data = {f"q-{k}": v for k, v in f.answers().items()}
    data.update(sex="female", age_band="12-15", pair_code="KT-07")
    response = client.post("/survey/questions/", data)
    assert response.status_code == 302 and response["Location"] == "/survey/thanks/"
    row = SurveyResponse.objects.get()
    assert row.pair_key and row.pair_key != "KT-07" and "KT" not in row.pair_key
    assert row.pair_key == services.pair_key(survey_round.plan.school_id, "kt-07")
    entry = AuditEntry.objects.filter(object_type="prevention.surveyround").latest("id")
    assert entry.note == "response recorded" and not entry.ip_address
    assert OutcomeTally.objects.filter(organisation=org, outcome="").get().n == 1
    assert client.get("/survey/questions/").status_code == 302  # one response per code entry


def test_expired_and_closed_codes_do_not_work(org, make_user):
    user = make_user(org, "prevention_coordinator")
    survey_round = f.survey_round(org, user)
    survey_round.expires_at = timezone.now() - timezone.timedelta(minutes=1)
    survey_round.save()
    assert services.round_for_code(survey_round.code) is None
    other = f.survey_round(org, user)
    services.round_close(survey_round=other)
    assert services.round_for_code(other.code) is None


def test_code_attempts_are_limited(client):
    for _i in range(20):
        client.post("/survey/", {"code": "ZZZZZZ"})
    assert client.post("/survey/", {"code": "ZZZZZZ"}).status_code == 429


def test_survey_in_arabic_is_right_to_left(org, make_user, client):
    user = make_user(org, "prevention_coordinator")
    survey_round = f.survey_round(org, user)
    client.get("/survey/?lang=ar")
    client.post("/survey/", {"code": survey_round.code})
    page = client.get("/survey/questions/").content.decode()
    assert 'lang="ar"' in page and 'dir="rtl"' in page


def test_paper_upload_reports_bad_rows_and_saves_the_rest(org, make_user):
    user = make_user(org, "prevention_coordinator")
    plan = f.plan(org)
    items = list(f.answers())
    header = "phase,code,sex,age_band," + ",".join(items)
    good = "pre,AB12,female,12-15," + ",".join(f.answers().values())
    bad_phase = "during,,male,12-15," + ",".join(f.answers().values())
    bad_answer = "post,,male,12-15,maybe," + ",".join(list(f.answers().values())[1:])
    data = "\n".join([header, good, bad_phase, bad_answer, good]).encode()
    report = services.responses_upload(user=user, plan=plan, data=data, source="paper.csv")
    assert report.created == 2
    assert [str(p) for p in report.problems] == [
        "paper.csv: line 3: phase: must be 'pre' or 'post'",
        f"paper.csv: line 4: {items[0]}: must be one of true, false, dont_know or empty",
    ]
    with pytest.raises(services.PreventionError, match="line 1: missing column"):
        services.responses_upload(user=user, plan=plan, data=b"phase\npre\n", source="short.csv")


def test_plan_analysis_matches_the_engine_on_the_same_rows(org, make_user):
    from threadline.engines.prevention import analyse, get_questionnaire, read_responses

    user = make_user(org, "prevention_coordinator")
    plan = f.plan(org)
    lines = ["phase,code,sex,age_band," + ",".join(f.answers())]
    for i in range(30):
        for phase, shift in (("pre", 0), ("post", 1)):
            values = f.answers(shift + (i % 3) - 1)
            lines.append(f"{phase},P{i:03d},{'female' if i % 2 else 'male'},12-15," + ",".join(values.values()))
    services.responses_upload(user=user, plan=plan, data="\n".join(lines).encode(), source="p.csv")
    q = get_questionnaire(f.QUESTIONNAIRE)
    ours = selectors.analysis_for(selectors.plan_responses(plan), q)
    assert ours.respondents == {"pre": 30, "post": 30, "pairs": 30}
    # Same rows through the engine's CSV reader (codes as given, school as one): same change and CI.
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write("instrument,school," + lines[0] + "\n")
        for line in lines[1:]:
            handle.write(f"{q.id},s1,{line}\n")
    theirs = analyse(read_responses(handle.name, q))
    for scale in q.scales:
        a, b = ours.headline(scale.id), theirs.headline(scale.id)
        assert a["method"] == "paired" and a["change"] == pytest.approx(b["change"])
        assert a["ci_low"] == pytest.approx(b["ci_low"], nan_ok=True)
        assert a["g"] == pytest.approx(b["g"], nan_ok=True)


def test_concern_goes_to_the_designated_lead_and_is_tracked(org, make_user, django_capture_on_commit_callbacks):
    from threadline.audit.models import AuditEntry

    lead = make_user(org, "supervisor", email="lead@harbour.example")
    facilitator = make_user(org, "facilitator")
    f.protocol(org, lead)
    school = f.school(org)
    f.facilitator_for(org, facilitator, [school])
    session = f.session(org, facilitator, f.plan(org, school))
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.concern_record(
            user=facilitator,
            session=session,
            category="disclosure_exploitation",
            urgency="immediate",
            note="Said an older friend offered work abroad.",
            site="https://threadline.example/",
        )
    assert [m.to for m in mail.outbox] == [["lead@harbour.example"]]
    assert "offered work" not in mail.outbox[0].body  # the e-mail holds no detail
    assert f"https://threadline.example/prevention/concerns/{concern.pk}/" in mail.outbox[0].body
    assert concern.lead.user == lead and concern.acknowledge_due_at <= concern.received_at + timezone.timedelta(hours=1)
    stored = Concern.objects.values_list("note", flat=True).get()  # decrypted by the field; raw is ciphertext:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM prevention_concern")
        raw = cursor.fetchone()[0]
    assert stored.startswith("Said") and "older friend" not in raw
    assert list(Concern.objects.restrict(facilitator, "view", org)) == [concern]
    other = make_user(org, "facilitator")
    assert not Concern.objects.restrict(other, "view", org).exists()
    services.concern_open_screening(concern=concern, user=lead)
    services.concern_close(concern=concern, user=lead, outcome="screening")
    concern.refresh_from_db()
    assert concern.status == "closed" and concern.acknowledged_at and concern.screening_opened_at
    audited = AuditEntry.objects.filter(object_type="prevention.concern", object_id=str(concern.pk))
    assert {"create", "update"} <= set(audited.values_list("action", flat=True))
    assert not any("note" in (e.fields or []) for e in audited)
    handling = selectors.concern_handling(organisation=org)
    assert handling["total"] == 1 and handling["by_category"] == {"disclosure_exploitation": None}


def test_htype_export_has_suppressed_small_cells(org, make_user, signed_in):
    from openpyxl import load_workbook

    coordinator = make_user(org, "prevention_coordinator")
    plan = f.plan(org)
    f.session(org, coordinator, plan, pupils=8)
    rows = selectors.htype_rows(organisation=org)
    reached = next(r for r in rows if r["htype_indicator"] == "pupils_reached" and r["breakdown"] == "all")
    assert reached["value"] is None and reached["suppressed"]
    response = signed_in(coordinator, org).get("/prevention/dashboard/htype.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == selectors.HTYPE_COLUMNS
    assert sheet.max_row == len(rows) + 1


def test_public_page_shows_only_published_figures(org, make_user, client):
    coordinator = make_user(org, "prevention_coordinator")
    plan = f.plan(org)
    f.session(org, coordinator, plan, pupils=30)
    assert "Harbour" not in client.get("/prevention/public/").content.decode()
    services.summary_publish(organisation=org, user=coordinator)
    page = client.get("/prevention/public/").content.decode()
    assert "Harbour Test Agency" in page and ">30<" in page


def test_curriculum_upload_names_file_path_and_reason(org, make_user):
    user = make_user(org, "prevention_coordinator")
    with pytest.raises(services.CurriculumRejected) as exc:
        services.curriculum_upload(
            organisation=org, user=user, data=b"schema_version: 1\nkind: curriculum\n", file_label="ours.yaml"
        )
    assert all(p.startswith("ours.yaml: ") for p in exc.value.problems)
    import yaml

    from threadline.engines.prevention import get_curriculum

    content = dict(get_curriculum(f.CURRICULUM).raw, id="our-programme", version="1.0")
    upload = services.curriculum_upload(
        organisation=org, user=user, data=yaml.safe_dump(content).encode(), file_label="ours.yaml"
    )
    plan = services.plan_create(
        organisation=org,
        school=f.school(org),
        curriculum_key=f"upload-{upload.pk}",
        questionnaire_id=f.QUESTIONNAIRE,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    assert plan.curriculum_id == "our-programme" and plan.curriculum_upload == upload


def test_api_never_serves_codes_or_responses(org, make_user, api_client):
    coordinator = make_user(org, "prevention_coordinator")
    survey_round = f.survey_round(org, coordinator)
    api = api_client(coordinator, org)
    body = api.get(f"/api/v1/prevention/survey-rounds/{survey_round.pk}/").json()
    assert "code" not in body and survey_round.code not in str(body)
    from django.urls import get_resolver

    names = {str(p.pattern) for p in get_resolver().url_patterns}
    assert not any("responses" in n for n in names)
    aggregates = api.get("/api/v1/prevention/aggregates/").json()
    assert aggregates["k"] == 11 and "pair_key" not in str(aggregates)


def test_hidden_categories_hide_a_small_group_and_its_complement():
    from threadline.engines.prevention.analysis import hidden_categories

    assert hidden_categories({"female": 40, "male": 35}) == set()
    hidden = hidden_categories({"female": 40, "male": 35, "other": 3})
    assert "other" in hidden and len(hidden) == 2


def test_a_whole_class_behind_one_address_can_enter_the_right_code(org, make_user, client):
    user = make_user(org, "prevention_coordinator")
    survey_round = f.survey_round(org, user)
    for _pupil in range(40):
        response = client.post("/survey/", {"code": survey_round.code})
        assert response.status_code == 302
