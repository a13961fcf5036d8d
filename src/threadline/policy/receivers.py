"""Keeps computed indicators current: after an insights import stores records, every SDG 16.2.2 indicator of
the organisation gets a new value. The receiver only calls the service; a failure never fails the import."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from threadline.insights.signals import import_completed

log = logging.getLogger(__name__)


@receiver(import_completed, dispatch_uid="policy-recompute-after-import")
def recompute_after_import(sender, organisation, **kwargs) -> None:
    from threadline.policy.services import indicators_recompute_for

    try:
        indicators_recompute_for(organisation=organisation, sources={"sdg_16_2_2"})
    except Exception:  # the import itself succeeded; the indicator can be recomputed by hand
        log.exception("recomputing indicators after an import failed")
