"""Background work of the insights area: imports and linkage (the worker runs them; small ones run at once)."""

from __future__ import annotations

from threadline.core.tasks import TaskContext, task


def _settle_import(payload: dict, status: str) -> None:
    from threadline.insights.services import import_settle

    import_settle(job_id=payload["job"], cancelled=status == "cancelled")


@task("insights.import", permission="insights.view_importjob", settle=_settle_import)
def import_task(ctx: TaskContext) -> dict:
    from threadline.insights import services
    from threadline.insights.models import ImportJob

    job = ImportJob.objects.select_related("organisation").get(pk=ctx.payload["job"])
    ctx.check_cancelled()
    # Dashboards are not prepared here: they are recorded in the release ledger when computed, and every later
    # version is difference-suppressed against them, so a version nobody looks at (several files imported one
    # after another, then a linkage) should not be recorded. The first visit, or the linkage task, computes them.
    return services.import_run(job=job, progress=ctx.progress)


@task("insights.link", permission="insights.view_linkagerun")
def link_task(ctx: TaskContext) -> dict:
    from threadline.insights import services
    from threadline.insights.models import LinkageRun

    run = LinkageRun.objects.select_related("organisation").get(pk=ctx.payload["run"])
    ctx.check_cancelled()
    result = services.linkage_run(run=run, progress=ctx.progress)
    if ctx.task.worker != "inline":  # in a request, the dashboards compute on first view instead
        ctx.progress(stage="preparing dashboards")
        services.dashboards_warm(organisation=run.organisation)
    return result
