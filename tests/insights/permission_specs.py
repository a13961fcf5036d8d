from tests.permissions import ViewSpec


def _job(org, user):
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.create(organisation=org, created_by=user, file_name="p.csv", format="htcds", source="p")
    return {"pk": job.pk}, {}


def _release(org, user):
    from threadline.insights.models import Release

    table = {
        "by": ["gender"],
        "categories": {"gender": ["Female"]},
        "cells": [[["Female"], 20, None], [[None], 20, None]],
        "method": "suppression",
        "k": 11,
    }
    release = Release.objects.create(organisation=org, created_by=user, title="t", fields=["gender"], k=11, table=table)
    return {"pk": release.pk}, {}


def _synthetic(org, user):
    from threadline.insights.models import SyntheticRelease

    item = SyntheticRelease.objects.create(
        organisation=org,
        created_by=user,
        title="s",
        csv="gender\nFemale\n",
        rows=1,
        metrics={"rare_combination_leakage": 0},
    )
    return {"pk": item.pk}, {}


OFFICER, DENIED = "data_officer", "caseworker"

SPECS = [
    ViewSpec("insights:index", OFFICER, DENIED),
    ViewSpec("insights:imports", OFFICER, DENIED),
    ViewSpec("insights:imports", OFFICER, DENIED, method="post", data={"source": "x"}),
    ViewSpec("insights:own_cases", OFFICER, DENIED, method="post", ok_status=(302,)),
    ViewSpec("insights:import_detail", OFFICER, DENIED, make=_job, object_scoped=True),
    ViewSpec(
        "insights:import_mapping", OFFICER, DENIED, method="post", make=_job, object_scoped=True, ok_status=(302,)
    ),
    ViewSpec("insights:import_run", OFFICER, DENIED, method="post", make=_job, object_scoped=True, ok_status=(302,)),
    ViewSpec(
        "insights:import_withdraw", OFFICER, DENIED, method="post", make=_job, object_scoped=True, ok_status=(302,)
    ),
    ViewSpec("insights:import_cancel", OFFICER, DENIED, method="post", make=_job, object_scoped=True, ok_status=(302,)),
    ViewSpec("insights:import_rejects", OFFICER, DENIED, make=_job, object_scoped=True, ok_status=(302,)),
    ViewSpec("insights:linkage", OFFICER, DENIED),
    ViewSpec("insights:linkage", "administrator", "supervisor", method="post", data={"threshold": "5"}),
    ViewSpec("insights:dashboard", OFFICER, DENIED, make=lambda org, user: ({"section": "scale"}, {})),
    ViewSpec(
        "insights:section_report", OFFICER, "auditor", make=lambda org, user: ({"section": "trends", "fmt": "pdf"}, {})
    ),
    ViewSpec(
        "insights:chart_download",
        OFFICER,
        "online_analyst",
        make=lambda org, user: ({"slug": "by_year", "fmt": "csv"}, {}),
    ),
    ViewSpec("insights:releases", OFFICER, DENIED),
    ViewSpec("insights:releases", OFFICER, DENIED, method="post", data={"title": ""}),
    ViewSpec("insights:release", OFFICER, DENIED, make=_release, object_scoped=True),
    ViewSpec(
        "insights:release_publish", OFFICER, DENIED, method="post", make=_release, object_scoped=True, ok_status=(302,)
    ),
    ViewSpec("insights:release_csv", OFFICER, DENIED, make=_release, object_scoped=True),
    ViewSpec("insights:synthetic_create", OFFICER, DENIED, method="post", ok_status=(302,)),
    ViewSpec("insights:synthetic", OFFICER, DENIED, make=_synthetic, object_scoped=True),
    ViewSpec(
        "insights:synthetic_publish",
        OFFICER,
        DENIED,
        method="post",
        make=_synthetic,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("insights:synthetic_csv", OFFICER, DENIED, make=_synthetic, object_scoped=True),
]

# The public page and its downloads need no sign-in: they show only published, protected aggregates.
PUBLIC = {"insights:public", "insights:public_release_csv", "insights:public_synthetic_csv"}


# --- API ----------------------------------------------------------------------------------------------------
def _api_job(org, user):
    return _job(org, user)[0], {}


def _api_job_with_rejects(org, user):
    """A checked upload whose quarantined rows were kept (as the validation writes them)."""
    import uuid

    from threadline.insights.models import ImportJob
    from threadline.insights.stores import uploads_dir

    job = ImportJob.objects.create(
        organisation=org,
        created_by=user,
        file_name="p.csv",
        format="htcds",
        source="p",
        stored_name=f"{uuid.uuid4().hex}.csv",
        status=ImportJob.Status.VALID,
    )
    (uploads_dir(org) / f"{job.stored_name}.rejects.csv").write_text("row,reason,case_id\n3,no case id in this row,\n")
    return {"pk": job.pk}, {}


def _api_run(org, user):
    from threadline.insights.models import LinkageRun

    return {"pk": LinkageRun.objects.create(organisation=org, created_by=user).pk}, {}


API = {"api": True}
API_OBJ = {"api": True, "object_scoped": True}
SPECS += [
    ViewSpec("api:insights-import-list", OFFICER, DENIED, **API),
    # The permission passes and the upload is then refused (a file needs a multipart body): 400, never 403.
    # Uploading for real is tested in tests/insights/test_api.py and the OpenAPI conformance scenario.
    ViewSpec("api:insights-import-list", OFFICER, DENIED, method="post", ok_status=(400,), **API),
    ViewSpec("api:insights-import-detail", OFFICER, DENIED, make=_api_job, **API_OBJ),
    # The job's upload is gone: validation reports "file not found" (an invalid import, 200).
    ViewSpec("api:insights-import-validate", OFFICER, DENIED, method="post", make=_api_job, **API_OBJ),
    # Not validated: accepting is refused by the service (400) once the permission has passed.
    ViewSpec("api:insights-import-accept", OFFICER, DENIED, method="post", make=_api_job, ok_status=(400,), **API_OBJ),
    ViewSpec("api:insights-import-cancel", OFFICER, DENIED, method="post", make=_api_job, **API_OBJ),
    ViewSpec("api:insights-import-rejects", OFFICER, DENIED, make=_api_job_with_rejects, **API_OBJ),
    ViewSpec("api:insights-linkagerun-list", OFFICER, DENIED, **API),
    # An out-of-range threshold: refused after the permission check (a real start is in tests/insights/test_api.py).
    ViewSpec(
        "api:insights-linkagerun-list",
        "administrator",
        "supervisor",
        method="post",
        data={"threshold": 5},
        ok_status=(400,),
        **API,
    ),
    ViewSpec("api:insights-linkagerun-detail", OFFICER, DENIED, make=_api_run, **API_OBJ),
    ViewSpec("api:insights-release-list", OFFICER, DENIED, **API),
    ViewSpec(
        "api:insights-release-list", OFFICER, "auditor", method="post", data={"title": ""}, ok_status=(400,), **API
    ),
    ViewSpec("api:insights-release-detail", OFFICER, DENIED, make=_release, **API_OBJ),
    ViewSpec(
        "api:insights-release-publish",
        OFFICER,
        DENIED,
        method="post",
        make=_release,
        data={"published": False},
        **API_OBJ,
    ),
    ViewSpec("api:insights-dashboard-list", OFFICER, DENIED, **API),
    ViewSpec(
        "api:insights-dashboard-detail",
        OFFICER,
        "online_analyst",
        make=lambda org, user: ({"slug": "by_year"}, {}),
        **API,
    ),
]
