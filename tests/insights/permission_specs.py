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
