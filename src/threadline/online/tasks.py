"""Background work of the online area."""

from __future__ import annotations

from threadline.core.tasks import task


@task("online.scan")
def online_scan(ctx) -> dict:
    """Scan an investigation's inputs into a new workspace (payload: ``scan`` id); progress and cancel."""
    from threadline.online.models import Scan
    from threadline.online.services import scan_run

    scan = Scan.objects.select_related("investigation").get(pk=ctx.payload["scan"])
    if scan.status in (Scan.Status.COMPLETE, Scan.Status.CANCELLED):
        return {"skipped": True}
    ctx.progress(stage="queued", records=0, rejects=0)
    return scan_run(scan=scan, ctx=ctx)
