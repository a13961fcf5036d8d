"""Scheduled work: anonymise closed cases once their organisation's retention period has passed."""

from __future__ import annotations

from datetime import timedelta

from threadline.core.tasks import TaskContext, task


@task("cases.anonymise_closed", every=timedelta(hours=24))
def anonymise_closed(ctx: TaskContext) -> dict:
    """Resumable: each case is anonymised in its own transaction and drops out of the query once done."""
    from threadline.cases.services import case_anonymise, cases_due_for_anonymisation

    done = 0
    while True:
        batch = list(cases_due_for_anonymisation().order_by("id")[:200])
        if not batch:
            break
        for case in batch:
            ctx.check_cancelled()
            case_anonymise(case=case)
            done += 1
        ctx.progress(stage="anonymising", done=done)
    return {"anonymised": done}
