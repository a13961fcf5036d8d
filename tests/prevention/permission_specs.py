from django.core.files.uploadedfile import SimpleUploadedFile

from tests.permissions import ViewSpec
from tests.prevention import factories as f

PUBLIC = {"prevention:public", "survey:start", "survey:answer", "survey:thanks", "survey:code"}


def _plan(org, user):
    return {"pk": f.plan(org).pk}, {}


def _session(org, user):
    return {"pk": f.session(org, user).pk}, {}


def _concern_post(org, user):
    return {"pk": f.session(org, user).pk}, {
        "category": "concern",
        "urgency": "today",
        "sex": "female",
        "age_band": "12-15",
        "note": "A worry.",
    }


def _round(org, user):
    return {"pk": f.survey_round(org, user).pk}, {}


def _concern(org, user):
    return {"pk": f.concern(org, user).pk}, {}


def _close(org, user):
    return {"pk": f.concern(org, user).pk}, {"outcome": "school"}


def _facilitator(org, user):
    fac = f.facilitator_for(org, user, [f.school(org)])
    return {"pk": fac.pk}, {"course": "Safeguarding basics", "completed_on": "2026-01-10", "hours": "3"}


def _school_post(org, user):
    return {}, {"name": "Hillside School", "district": f.district(org).pk, "kind": "primary"}


def _plan_post(org, user):
    return {}, {
        "school": f.school(org).pk,
        "curriculum": f.CURRICULUM,
        "questionnaire": f.QUESTIONNAIRE,
        "starts_on": "2026-01-05",
        "ends_on": "2026-06-30",
    }


def _session_post(org, user):
    plan = f.plan(org)
    return {}, {
        "plan": plan.pk,
        "module_session": "respect_and_equality/boxes_we_are_put_in",
        "delivered_on": "2026-02-03",
        "class_label": "7A",
        "n_female_12-15": "9",
        "n_male_12-15": "8",
    }


def _round_post(org, user):
    return {}, {"plan": f.plan(org).pk, "phase": "pre", "class_label": "7A"}


def _upload(org, user):
    header = "phase,code,sex,age_band," + ",".join(f.answers())
    row = "pre,AB12,female,12-15," + ",".join(f.answers().values())
    return {"pk": f.plan(org).pk}, {"file": SimpleUploadedFile("paper.csv", f"{header}\n{row}\n".encode())}


def _curriculum(org, user):
    return {"key": f.CURRICULUM}, {}


def _protocol_post(org, user):
    from threadline.accounts.models import Membership

    lead = Membership.objects.get(organisation=org, user=user)
    return {}, {
        "designated_lead": lead.pk,
        "steps": "Listen\nTell the lead",
        "acknowledge_within_hours": 4,
        "close_within_hours": 48,
        "mandatory_reporting": "",
    }


def _curriculum_download(org, user):
    from threadline.engines.prevention import get_curriculum
    from threadline.prevention.models import OrganisationCurriculum

    content = dict(get_curriculum(f.CURRICULUM).raw, id="our-own")
    upload = OrganisationCurriculum.objects.create(
        organisation=org, curriculum_id="our-own", version="1", title="Ours", content=content, digest="0" * 64
    )
    return {"pk": upload.pk}, {}


COORD = "prevention_coordinator"

SPECS = [
    ViewSpec("prevention:index", "facilitator", "caseworker"),
    ViewSpec("prevention:districts", COORD, "facilitator"),
    ViewSpec("prevention:districts", COORD, "data_officer", method="post", data={"name": "North"}, ok_status=(302,)),
    ViewSpec("prevention:schools", "facilitator", "caseworker"),
    ViewSpec("prevention:school_create", COORD, "facilitator"),
    ViewSpec("prevention:school_create", COORD, "data_officer", method="post", make=_school_post, ok_status=(302,)),
    ViewSpec("prevention:facilitators", COORD, "facilitator"),
    ViewSpec(
        "prevention:training_add",
        COORD,
        "facilitator",
        method="post",
        make=_facilitator,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("prevention:curricula", "facilitator", "caseworker"),
    ViewSpec("prevention:curriculum_detail", "facilitator", "caseworker", make=_curriculum),
    ViewSpec("prevention:curriculum_download", COORD, "facilitator", make=_curriculum_download, object_scoped=True),
    ViewSpec("prevention:plans", "data_officer", "caseworker"),
    ViewSpec("prevention:plan_create", COORD, "facilitator"),
    ViewSpec("prevention:plan_create", COORD, "data_officer", method="post", make=_plan_post, ok_status=(302,)),
    ViewSpec("prevention:plan_detail", COORD, "caseworker", make=_plan, object_scoped=True),
    ViewSpec("prevention:plan_analysis", "data_officer", "facilitator", make=_plan, object_scoped=True),
    ViewSpec(
        "prevention:responses_upload",
        COORD,
        "facilitator",
        method="post",
        make=_upload,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("prevention:programme_analysis", "data_officer", "facilitator"),
    ViewSpec("prevention:session_log", "facilitator", "data_officer"),
    ViewSpec("prevention:session_log", COORD, "data_officer", method="post", make=_session_post, ok_status=(302,)),
    ViewSpec("prevention:session_detail", COORD, "data_officer", make=_session, object_scoped=True),
    ViewSpec(
        "prevention:concern_create",
        COORD,
        "data_officer",
        method="post",
        make=_concern_post,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("prevention:round_open", "facilitator", "data_officer"),
    ViewSpec("prevention:round_open", COORD, "caseworker", method="post", make=_round_post, ok_status=(302,)),
    ViewSpec("prevention:round_detail", COORD, "data_officer", make=_round, object_scoped=True),
    ViewSpec(
        "prevention:round_close",
        COORD,
        "data_officer",
        method="post",
        make=_round,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("prevention:concerns", "supervisor", "facilitator"),
    ViewSpec("prevention:concern_detail", "supervisor", "data_officer", make=_concern, object_scoped=True),
    ViewSpec(
        "prevention:concern_acknowledge",
        "supervisor",
        "facilitator",
        method="post",
        make=_concern,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "prevention:concern_close",
        COORD,
        "facilitator",
        method="post",
        make=_close,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "prevention:concern_screening",
        "supervisor",
        "facilitator",
        method="post",
        make=_concern,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("prevention:protocol", "supervisor", "facilitator"),
    ViewSpec("prevention:protocol", COORD, "supervisor", method="post", make=_protocol_post, ok_status=(302,)),
    ViewSpec("prevention:dashboard", "data_officer", "facilitator"),
    ViewSpec("prevention:export", "data_officer", "facilitator", make=lambda o, u: ({"fmt": "xlsx"}, {})),
    ViewSpec("prevention:export", COORD, "caseworker", make=lambda o, u: ({"fmt": "csv"}, {})),
    ViewSpec("prevention:publish", COORD, "data_officer", method="post", ok_status=(302,)),
    ViewSpec("api:prevention-school-list", "facilitator", "caseworker", api=True),
    ViewSpec(
        "api:prevention-school-detail",
        COORD,
        "caseworker",
        api=True,
        make=lambda o, u: ({"pk": f.school(o).pk}, {}),
        object_scoped=True,
    ),
    ViewSpec("api:prevention-session-list", "facilitator", "data_officer", api=True),
    ViewSpec("api:prevention-session-detail", COORD, "data_officer", api=True, make=_session, object_scoped=True),
    ViewSpec("api:prevention-surveyround-list", COORD, "caseworker", api=True),
    ViewSpec("api:prevention-surveyround-detail", COORD, "data_officer", api=True, make=_round, object_scoped=True),
    ViewSpec("api:prevention-aggregates-list", "data_officer", "facilitator", api=True),
]
