from django.core.files.uploadedfile import SimpleUploadedFile

from tests.permissions import ViewSpec
from tests.screening import factories


def _in_progress(org, user):
    return {"pk": factories.start(org, user).pk}, {}


def _step(org, user):
    return {"pk": factories.start(org, user).pk, "step": 0}, {}


def _step_post(org, user):
    screening = factories.start(org, user)
    return {"pk": screening.pk, "step": 0}, {"answer-deceived_job_location_employer": "yes", "move": "next"}


def _completed(org, user):
    return {"pk": factories.completed(org, user).pk}, {}


def _safety(org, user):
    return {"pk": factories.completed(org, user).pk}, {"danger_now": "no", "safe_place_tonight": "yes"}


def _upload(org, user):
    return {"pk": factories.upload(org, user).pk}, {}


def _upload_file(org, user):
    file = SimpleUploadedFile("first-contact.yaml", factories.VALID_INSTRUMENT_YAML.encode())
    return {}, {"file": file}


def _contact(org, user):
    return {"pk": factories.contact(org, user).pk}, {}


def _contact_post(org, user):
    return {"pk": factories.contact(org, user).pk}, {"name": "Renamed line", "position": 1, "is_active": "on"}


_START = {"instrument": factories.CHILD_SEXUAL, "age_group": "child", "reference": "", "language": "en"}
_API_CREATE = {
    "instrument": factories.CHILD_SEXUAL,
    "age_group": "child",
    "answers": factories.PRESUMED_CHILD_ANSWERS,
}

SPECS = [
    ViewSpec("screening:list", "caseworker", "data_officer"),
    ViewSpec("screening:start", "caseworker", "auditor"),
    ViewSpec("screening:start", "supervisor", "data_officer", method="post", data=_START, ok_status=(302,)),
    ViewSpec("screening:detail", "caseworker", "auditor", make=_completed, object_scoped=True),
    ViewSpec("screening:detail", "supervisor", "data_officer", make=_in_progress, object_scoped=True),
    ViewSpec(
        "screening:resume", "caseworker", "administrator", make=_in_progress, object_scoped=True, ok_status=(302,)
    ),
    ViewSpec("screening:step", "caseworker", "data_officer", make=_step, object_scoped=True),
    ViewSpec(
        "screening:step", "caseworker", "auditor", method="post", make=_step_post, object_scoped=True, ok_status=(302,)
    ),
    ViewSpec("screening:review", "caseworker", "auditor", make=_in_progress, object_scoped=True),
    ViewSpec("screening:result_pdf", "caseworker", "data_officer", make=_completed, object_scoped=True),
    ViewSpec(
        "screening:complete",
        "caseworker",
        "data_officer",
        method="post",
        make=_in_progress,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "screening:safety", "caseworker", "auditor", method="post", make=_safety, object_scoped=True, ok_status=(302,)
    ),
    ViewSpec(
        "screening:open_case",
        "caseworker",
        "data_officer",
        method="post",
        make=_completed,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("screening:instruments", "supervisor", "data_officer"),
    ViewSpec("screening:instrument_upload", "administrator", "caseworker"),
    ViewSpec(
        "screening:instrument_upload",
        "supervisor",
        "caseworker",
        method="post",
        make=_upload_file,
        ok_status=(302,),
    ),
    ViewSpec("screening:instrument_detail", "caseworker", "auditor", make=_upload, object_scoped=True),
    ViewSpec(
        "screening:instrument_toggle",
        "administrator",
        "caseworker",
        method="post",
        make=_upload,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("screening:contacts", "supervisor", "caseworker"),
    ViewSpec("screening:contact_create", "administrator", "caseworker"),
    ViewSpec(
        "screening:contact_create",
        "supervisor",
        "data_officer",
        method="post",
        data={"name": "Night shelter", "position": 0, "for_children": "on", "is_active": "on"},
        ok_status=(302,),
    ),
    ViewSpec("screening:contact_edit", "administrator", "caseworker", make=_contact, object_scoped=True),
    ViewSpec(
        "screening:contact_edit",
        "supervisor",
        "auditor",
        method="post",
        make=_contact_post,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "screening:contact_delete",
        "administrator",
        "caseworker",
        method="post",
        make=_contact,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("screening:statistics", "data_officer", "caseworker"),
    ViewSpec("api:screening-list", "caseworker", "data_officer", api=True),
    ViewSpec("api:screening-detail", "supervisor", "auditor", api=True, make=_completed, object_scoped=True),
    ViewSpec(
        "api:screening-list", "caseworker", "auditor", api=True, method="post", data=_API_CREATE, ok_status=(201,)
    ),
]
