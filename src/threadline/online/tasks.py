"""Background work of the online area."""

from __future__ import annotations

from threadline.core.tasks import task


def _settle_scan(payload: dict, status: str) -> None:
    from threadline.online.services import scan_settle

    scan_settle(scan_id=payload["scan"], cancelled=status == "cancelled")


@task("online.scan", permission="online.view_scan", settle=_settle_scan)
def online_scan(ctx) -> dict:
    """Scan an investigation's inputs into a new workspace (payload: ``scan`` id); progress and cancel."""
    from threadline.online.models import Scan
    from threadline.online.services import scan_run

    scan = Scan.objects.select_related("investigation").get(pk=ctx.payload["scan"])
    if scan.status in (Scan.Status.COMPLETE, Scan.Status.CANCELLED):
        return {"skipped": True}
    ctx.progress(stage="queued", records=0, rejects=0)
    return scan_run(scan=scan, ctx=ctx)
