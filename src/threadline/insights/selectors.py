"""Insights reads: the store's overview, the last linkage, what a release page shows, and what is public."""

from __future__ import annotations

import json
from dataclasses import dataclass

from threadline.core.charts import render_public_svg, render_svg
from threadline.insights.dashboards import ChartData, Point
from threadline.insights.models import LinkageRun, Release, SyntheticRelease
from threadline.insights.protection import Figures, field_label, value_label
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


def store_key_ids(*, organisation) -> set[str]:
    """Fingerprints of the linkage keys the store's records were encoded with (``enc_key_id``)."""
    from threadline.engines.insights.store import connect

    store = store_for(organisation)
    if not store.batch_files():
        return set()
    con = connect(store)
    try:
        rows = con.sql("SELECT DISTINCT enc_key_id FROM records WHERE enc_key_id IS NOT NULL").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


@dataclass(frozen=True)
class LinkageCoverage:
    """How much of the store the last linkage covered. Records it did not cover count as separate people."""

    records: int
    uncovered_records: int
    uncovered_batches: list[dict]
    linked: bool

    @property
    def complete(self) -> bool:
        return self.uncovered_records == 0


def linkage_coverage(*, organisation) -> LinkageCoverage:
    """Encoded records of batches imported after the last linkage (or of every batch, when linkage never ran)
    are not covered. Records without encodings are never linked: they count as one person each by design."""
    import pyarrow.parquet as pq

    store = store_for(organisation)
    linked_at = store.clusters_path.stat().st_mtime_ns if store.clusters_path.exists() else None
    total, unlinked, batches = 0, 0, []
    for path in store.batch_files():
        manifest = path.with_suffix(".json")
        batch = json.loads(manifest.read_text()) if manifest.exists() else {"batch_id": path.stem}
        total += int(batch.get("rows", 0))
        if linked_at is not None and path.stat().st_mtime_ns <= linked_at:
            continue
        column = pq.read_table(path, columns=["enc_key_id"]).column(0)
        encoded = len(column) - column.null_count
        if encoded:
            unlinked += encoded
            batches.append({**batch, "unlinked": encoded})
    return LinkageCoverage(records=total, uncovered_records=unlinked, uncovered_batches=batches, linked=bool(linked_at))


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


def release_view_rows(release: Release) -> dict:
    """What a release page shows: the protected figures as a table, and a chart of the first field."""
    figures = Figures.from_payload(release.table)
    rows = [{f: (value_label(f, v) if f in figures.by else v) for f, v in row.items()} for row in figures.rows()]
    first = figures.by[0]
    chart = ""
    second = figures.categories.get(figures.by[1], []) if len(figures.by) > 1 else []
    if 1 < len(second) <= 5:
        # Grouped bars: the first field's categories, one bar per category of the second field.
        rest = (None,) * (len(figures.by) - 2)
        data = ChartData(
            f"release-{release.pk}",
            release.title,
            "",
            [value_label(figures.by[1], c2) for c2 in second],
            [
                (
                    value_label(first, c1),
                    [Point(*_float(figures.cells.get((c1, c2, *rest), (None, None)))) for c2 in second],
                )
                for c1 in figures.categories.get(first, [])[:30]
            ],
            chart_columns=list(range(len(second))),
        )
        chart = render_svg(data)
    else:
        margin = []
        for key, (value, _acc) in figures.cells.items():
            if key[0] is not None and all(v is None for v in key[1:]):
                margin.append((value_label(first, key[0]), value))
        chart = render_public_svg(field_label(first), f"release-{release.pk}", margin[:30]) if margin else ""
    coverage = release.table.get("coverage", {})
    return {
        "figures": figures,
        "rows": rows,
        "labels": [field_label(f) for f in figures.by],
        "chart": chart,
        "unlinked": int(coverage.get("unlinked", 0)),
        "coverage_records": int(coverage.get("records", 0)),
    }


def _float(cell: tuple[int | None, float | None]) -> tuple[float | None, float | None]:
    value, acc = cell
    return (None if value is None else float(value), acc)
