"""Protected figures: k-suppressed tables and differentially private counts charged to the budget."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from threadline.insights.models import (
    Method,
    ProtectedFigures,
)
from threadline.insights.protection import (
    Figures,
    compute_dp,
    compute_suppressed_set,
)
from threadline.insights.stores import CHART_EPSILON, DEFAULT_K, dataset_version, store_for

log = logging.getLogger(__name__)
log = logging.getLogger(__name__)


# --- protected figures ----------------------------------------------------------------------------------
def _figures_key(version: str, method: str, by: list[str], param: float) -> str:
    return f"{version}:{method}:{param:g}:{','.join(by)}"[:250]


def dp_figures(*, organisation, by: list[str], epsilon: float = CHART_EPSILON) -> Figures:
    """The differentially private table ``by``: charged to the budget once per dataset version, then kept and
    re-shown as drawn. A spent budget gives a refusal, never figures. (Suppressed tables: :func:`dashboard_set`.)"""
    from threadline.engines.disclosure import BudgetExceeded

    version = dataset_version(organisation)
    key = _figures_key(version, Method.DP, by, epsilon)
    kept = ProtectedFigures.objects.filter(organisation=organisation, key=key).first()
    if kept is not None:
        return Figures.from_payload(kept.payload)
    try:
        figures = compute_dp(
            organisation, by, epsilon=epsilon, what=_("epsilon {e:g} spent on this table").format(e=epsilon)
        )
    except BudgetExceeded:
        return Figures.refusal(by, Method.DP, budget_refusal_message(organisation, epsilon))
    except ValueError as exc:
        log.warning("protected table refused: %s", type(exc).__name__)
        return Figures.refusal(by, Method.DP, _("These figures cannot be computed for this data."))
    _keep(organisation, version, {key: figures})
    return figures


def _keep(organisation, version: str, figures: dict[str, Figures]) -> None:
    """Store computed tables (a concurrent request may have stored the same ones: its copy stays)."""
    # Tables of earlier versions of the data are never shown again: drop them (the ledgers keep what they showed).
    ProtectedFigures.objects.filter(organisation=organisation).exclude(key__startswith=f"{version}:").delete()
    for key, f in figures.items():
        try:
            with transaction.atomic():
                ProtectedFigures.objects.create(organisation=organisation, key=key, payload=f.to_payload())
        except IntegrityError:
            pass


def dashboard_set(*, organisation, k: int = DEFAULT_K) -> dict[tuple[str, ...], Figures]:
    """Every suppressed dashboard table of the current dataset version, by grouping.

    The tables are shown side by side (and downloaded), so they are protected as one system: the disclosure
    engine audits them jointly with each other and with every release of this version, and records them in
    the release ledger. Computed on the first request for a version (or by the worker after a linkage)
    and kept; a second caller gets the recorded tables back, never a different protection."""
    from threadline.insights.dashboards import MAX_CATEGORIES, suppressed_specs

    version = dataset_version(organisation)
    specs = suppressed_specs()
    keys = [_figures_key(version, Method.SUPPRESSION, by, float(k)) for by in specs]
    kept = {
        f.key: Figures.from_payload(f.payload)
        for f in ProtectedFigures.objects.filter(organisation=organisation, key__in=keys)
    }
    if len(kept) < len(keys):
        computed = compute_suppressed_set(organisation, specs, k=k, version=version, max_categories=MAX_CATEGORIES)
        _keep(organisation, version, {key: f for key, f in zip(keys, computed, strict=True) if key not in kept})
        kept = dict(zip(keys, computed, strict=True))
    return {tuple(by): kept[key] for by, key in zip(specs, keys, strict=True)}


def budget_refusal_message(organisation, epsilon: float) -> str:
    from threadline.insights.protection import budget_status

    status = budget_status(organisation)
    return _(
        "Refused: the privacy budget of this dataset would be exceeded (epsilon {spent:g} of {total:g} spent, "
        "{remaining:g} left; this needs {need:g}). Use cell suppression instead: the budget never grows."
    ).format(need=epsilon, **status)


def dashboard_tables(*, organisation, chart, method: str) -> list[Figures]:
    from threadline.insights.protection import dp_fields

    specs = chart.tables()
    if method == Method.DP:
        # Filters need their field in the table; with noise each extra field widens every total's interval,
        # so differentially private tables keep only the fields the chart draws (filters do not apply).
        allowed = dp_fields()
        specs = [[f for f in by if f not in chart.filters] for by in specs]
        specs = [by for by in specs if by and all(f in allowed for f in by)]
        share = CHART_EPSILON / max(1, len(specs))
        return [dp_figures(organisation=organisation, by=by, epsilon=share) for by in specs]
    tables = dashboard_set(organisation=organisation)
    return [tables[tuple(by)] for by in specs]


def section_charts(*, organisation, section: str, method: str, filters: dict[str, str]) -> list:
    """The section's charts as :class:`ChartData` from protected tables (none while the store is empty)."""
    from threadline.insights.dashboards import chart_data, charts_in

    if not store_for(organisation).batches():
        return []
    return [
        chart_data(chart, dashboard_tables(organisation=organisation, chart=chart, method=method), filters)
        for chart in charts_in(section)
    ]


def dashboard_years(*, organisation) -> list[str]:
    """The registration years the data has (from the protected dashboard tables, which show them anyway): the
    year filter offers these, not every year of the public window."""
    from threadline.insights.dashboards import BASE, YEAR

    if not store_for(organisation).batch_files():
        return []
    base = dashboard_set(organisation=organisation).get(tuple(BASE))
    if base is None or base.refused:
        return []
    return sorted(y for y in base.categories.get(YEAR, []) if y.isdigit())


def dashboards_warm(*, organisation) -> int:
    """Compute the suppressed dashboard tables ahead of the first visit (by the worker after a linkage)."""
    return len(dashboard_set(organisation=organisation))
