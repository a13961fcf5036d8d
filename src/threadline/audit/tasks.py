from __future__ import annotations

import logging
from datetime import timedelta

from threadline.audit.services import audit_verify
from threadline.core.tasks import task

log = logging.getLogger(__name__)


@task("audit.verify_chain", every=timedelta(days=1))
def verify_chain(ctx) -> dict:
    """Daily check of the audit chain; a broken chain is logged as an error for the operators."""
    result = audit_verify()
    if not result.ok:
        log.error("Audit chain broken at entry %s: %s", result.first_broken_id, result.reason)
    return {"ok": result.ok, "checked": result.checked, "first_broken_id": result.first_broken_id}
