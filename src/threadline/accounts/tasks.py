from __future__ import annotations

from datetime import timedelta

from threadline.accounts.services import login_failures_purge
from threadline.core.tasks import task


@task("accounts.purge_login_failures", every=timedelta(hours=1))
def purge_login_failures(ctx) -> dict:
    """Sign-in failures are kept only as long as throttling needs them."""
    return {"deleted": login_failures_purge()}
