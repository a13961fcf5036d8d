"""Releases of protected tables and synthetic microdata, and the audit of exports."""

from __future__ import annotations

import io
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.audit.services import audit_record
from threadline.engines import csvsafe
from threadline.insights.models import (
    Method,
    Release,
    SyntheticRelease,
)
from threadline.insights.protection import (
    Figures,
    from_protected,
    release_fields,
)
from threadline.insights.services.figures import budget_refusal_message
from threadline.insights.stores import DEFAULT_K, dataset_id, dataset_version

log = logging.getLogger(__name__)
log = logging.getLogger(__name__)


# --- releases -------------------------------------------------------------------------------------------
def release_create(
    *,
    organisation,
    user,
    title: str,
    fields: list[str],
    method: str,
    k: int | None = None,
    epsilon: float | None = None,
) -> Release:
    """Protect one table for release, audited with every earlier release of this dataset (differencing) or
    charged to the privacy budget. Raises ValidationError with the reason when it must be refused."""
    from threadline.engines import disclosure
    from threadline.insights.protection import dp_categories, dp_fields, records

    if not fields:
        raise ValidationError(_("Choose at least one field."))
    unknown = [f for f in fields if f not in release_fields()]
    if unknown:
        raise ValidationError(_("These fields cannot be released: {fields}").format(fields=", ".join(unknown)))
    table = records(organisation, fields)
    if table.num_rows == 0:
        raise ValidationError(_("There is no data to release yet: import a file first."))
    from threadline.insights.stores import DP_YEARS, budget_ledger, release_ledger

    try:
        if method == Method.DP:
            if epsilon is None or epsilon <= 0:
                raise ValidationError(_("Give a positive epsilon."))
            if any(f not in dp_fields() for f in fields):
                raise ValidationError(_("Differential privacy is not available for one of these fields."))
            protected = disclosure.dp_counts(
                table,
                fields,
                epsilon,
                budget_ledger(organisation),
                dataset_id=dataset_id(organisation),
                years=DP_YEARS,
                categories=dp_categories(fields),
            )
        else:
            k = max(int(k or DEFAULT_K), 2)
            # The version names the whole dataset, not the columns read: every release and dashboard of the same
            # data is then audited jointly (a fingerprint of only these columns would differ per grouping).
            ct = disclosure.crosstab(
                table,
                fields,
                dataset_id=dataset_id(organisation),
                version=dataset_version(organisation),
                allowed=release_fields(),
            )
            protected = disclosure.suppress(ct, k, ledger=release_ledger(organisation))
    except disclosure.BudgetExceeded as exc:
        raise ValidationError(budget_refusal_message(organisation, epsilon or 0)) from exc
    except disclosure.ReleaseRefused as exc:
        raise ValidationError(
            _("Refused: this table cannot be released without revealing a cell hidden by an earlier release.")
        ) from exc
    except ValueError as exc:
        raise ValidationError(_("This table cannot be released: {reason}").format(reason=str(exc)[:200])) from exc
    figures = from_protected(protected)
    if method == Method.DP:
        figures = _dp_trim(figures)
    from threadline.insights.selectors import linkage_coverage

    coverage = linkage_coverage(organisation=organisation)
    payload = figures.to_payload()
    # Kept with the release, so that its page (and the public page) say how much of it linkage did not cover.
    payload["coverage"] = {"records": coverage.records, "unlinked": coverage.uncovered_records}
    release = Release.objects.create(
        organisation=organisation,
        created_by=user,
        title=title[:200],
        fields=list(fields),
        method=method,
        k=k if method != Method.DP else None,
        epsilon=epsilon if method == Method.DP else None,
        dataset_version=protected.version[:40],
        table=payload,
    )
    return release


def _dp_trim(figures: Figures) -> Figures:
    """Keep DP interior cells inside the public year window and drop empty codebook rows (post-processing:
    the decision uses only noisy values, so it spends no budget)."""
    if len(figures.cells) <= 400:
        return figures
    kept = {}
    for key, (value, acc) in figures.cells.items():
        if (None in key and all(v is None for v in key)) or (value is not None and acc is not None and value > acc):
            kept[key] = (value, acc)
    figures.cells = kept
    figures.notes.append(_("Only figures larger than their accuracy are listed (the others are noise around zero)."))
    return figures


@transaction.atomic
def release_publish(*, release: Release, published: bool, unlinked_acknowledged: bool = False) -> Release:
    """Publish (or withdraw) a release. Figures over records the last linkage did not cover are published only
    when the officer acknowledges it; the public page then says so beside the table."""
    unlinked = int(release.table.get("coverage", {}).get("unlinked", 0))
    if published and unlinked and not unlinked_acknowledged:
        raise ValidationError(
            _(
                "{n} of these records were not covered by the last linkage: people in them may be counted twice. "
                "Run linkage and make the release again, or confirm that it is published with this note."
            ).format(n=unlinked)
        )
    release.published = published
    release.published_at = timezone.now() if published else None
    release.save()
    return release


def _as_protected(release: Release):
    from threadline.engines.disclosure import ProtectedCell, ProtectedTable

    figures = Figures.from_payload(release.table)
    return ProtectedTable(
        by=tuple(figures.by),
        categories={f: tuple(c) for f, c in figures.categories.items()},
        cells=[ProtectedCell(tuple(key), v, None, a) for key, (v, a) in figures.cells.items()],
        method=figures.method,
        dataset_id="release",
        version=release.dataset_version,
        k=figures.k,
        epsilon=figures.epsilon,
        alpha=figures.alpha,
    )


def synthetic_create(*, organisation, user, releases: list[Release], title: str, seed: int = 0) -> SyntheticRelease:
    """Synthetic records built only from the chosen protected releases, judged with the CTDC-style metrics."""
    from threadline.engines.disclosure import quality_metrics, synthesise
    from threadline.insights.protection import records

    if not releases:
        raise ValidationError(_("Choose at least one release."))
    if any(r.organisation_id != organisation.pk for r in releases):
        raise ValidationError(_("Choose releases of this organisation."))
    tables = [_as_protected(r) for r in releases]
    synthetic = synthesise(tables, seed=seed)
    fields = list(synthetic.column_names)
    sensitive = records(organisation, fields)
    metrics = quality_metrics(sensitive, synthetic, fields)
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in zip(*(synthetic.column(f).to_pylist() for f in fields), strict=True):
        writer.writerow(["" if v is None else v for v in row])
    item = SyntheticRelease.objects.create(
        organisation=organisation,
        created_by=user,
        title=title[:200],
        fields=fields,
        csv=buffer.getvalue(),
        rows=synthetic.num_rows,
        metrics=_json_safe(metrics),
    )
    item.releases.set(releases)
    return item


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


@transaction.atomic
def synthetic_publish(*, item: SyntheticRelease, published: bool) -> SyntheticRelease:
    if published and item.metrics.get("rare_combination_leakage", 1) != 0:
        raise ValidationError(_("Refused: the synthetic data would leak a rare combination."))
    item.published = published
    item.published_at = timezone.now() if published else None
    item.save()
    return item


def export_audit(*, what: str, fmt: str) -> None:
    audit_record(action="export", object_type="insights.dashboard", note=f"{what} {fmt}"[:200])
