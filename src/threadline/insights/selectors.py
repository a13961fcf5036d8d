"""Insights reads: the store's overview, the last linkage, and what is public."""

from __future__ import annotations

from threadline.insights.models import LinkageRun, Release, SyntheticRelease
from threadline.insights.stores import store_for


def store_overview(*, organisation) -> dict:
    """Batches (source, format, rows, time) of the organisation's store; counts only."""
    store = store_for(organisation)
    batches = sorted(store.batches(), key=lambda b: b.get("imported_at", ""), reverse=True)
    return {
        "batches": batches,
        "records": sum(int(b.get("rows", 0)) for b in batches),
        "sources": sorted({b.get("source", "") for b in batches}),
    }


def linkage_latest(*, user, organisation) -> LinkageRun | None:
    return LinkageRun.objects.restrict(user, "view", organisation).select_related("task").first()


def linkage_report(*, organisation) -> dict | None:
    from threadline.engines.insights.linkage import read_report

    return read_report(store_for(organisation))


def public_releases():
    """Published releases of every active organisation: protected aggregates only, for the public page."""
    return (
        Release.objects.filter(published=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("-published_at")
    )


def public_synthetic():
    return (
        SyntheticRelease.objects.filter(published=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("-published_at")
    )
