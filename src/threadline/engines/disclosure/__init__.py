"""Disclosure control: statistics about victims leave the organisation only through here.

Pure Python (pyarrow, NumPy, SciPy's HiGHS for the audit, OpenDP for noise); never imports Django.
Method, guarantees and limits: docs/disclosure-control.md.

Public API::

    ALLOWED_FIELDS: list[str]                              # dimensions a release may group by
    crosstab(table, by, *, dataset_id="default", version=None, categories=None) -> Crosstab
    suppress(crosstab, k=11, *, ledger=None, recode=True, max_primary_share=0.5) -> ProtectedTable
    suppress_jointly(crosstabs, k=11, *, ledger=None, max_categories=None, kind="release")
        -> list[ProtectedTable | ReleaseRefused]      # tables shown together, audited as one system
    dp_counts(table, by, epsilon, ledger, *, dataset_id="default", alpha=0.05,
              categories=None, years=range(2000, 2031)) -> ProtectedTable
    release(table, by, *, k=None, epsilon=None, dataset_id="default",
            release_ledger=None, budget_ledger=None, alpha=0.05) -> ProtectedTable
    ReleaseLedger(path)                                     # what was published, per dataset
    BudgetLedger(path, total_epsilon)                       # .charge/.spent/.remaining per dataset
    synthesise(protected_tables, n=None, seed=0, *, k=None, length=3) -> pyarrow.Table
    quality_metrics(sensitive, synthetic, fields=None, *, k=11, length=3) -> dict
    to_rows(protected, *, include_reason=False) -> list[dict]
    to_csv(protected, path=None, *, include_reason=False) -> str
    read_records(path) -> pyarrow.Table                     # Parquet or CTDC CSV (; or ,)
    describe(protected) -> str                              # one line on how the figures were protected
    hidden_intervals(equations, known, hidden, targets=None) / hidden_widths(...)  # the attacker's view
    table_equations(by, categories) / canonical(by, key) / dataset_version(table)

``table`` is a pyarrow Table, a DuckDB relation or a list of dicts with CTDC column names. If it has a
``cluster_id`` column (linked records of one person) each person counts once. Missing values (None,
-99, "Unknown", "") are always the category "Unknown". A :class:`ProtectedTable` holds one
:class:`ProtectedCell` per figure (interior cells, then every total): ``value`` (None if suppressed),
``suppressed`` (reason: "primary", "complementary", "difference"; never written out), ``accuracy`` (DP).

Errors: :class:`ReleaseRefused`, :class:`BudgetExceeded`, :class:`LedgerError`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from threadline.engines.disclosure.audit import canonical, hidden_intervals, hidden_widths, table_equations
from threadline.engines.disclosure.crosstab import PERSON_COLUMN, Crosstab, crosstab, dataset_version, one_per_person
from threadline.engines.disclosure.dp import dp_counts
from threadline.engines.disclosure.fields import ALLOWED_FIELDS, FLAG_FIELDS, MISSING, OTHER, TOTAL
from threadline.engines.disclosure.io import describe, read_records, to_csv, to_rows
from threadline.engines.disclosure.ledger import (
    BudgetExceeded,
    BudgetLedger,
    LedgerError,
    ReleaseLedger,
    ReleaseRefused,
)
from threadline.engines.disclosure.protected import ProtectedCell, ProtectedTable
from threadline.engines.disclosure.suppression import DEFAULT_K, suppress, suppress_jointly
from threadline.engines.disclosure.synthetic import quality_metrics, synthesise

__all__ = [
    "ALLOWED_FIELDS",
    "DEFAULT_K",
    "FLAG_FIELDS",
    "MISSING",
    "OTHER",
    "PERSON_COLUMN",
    "TOTAL",
    "BudgetExceeded",
    "BudgetLedger",
    "Crosstab",
    "LedgerError",
    "ProtectedCell",
    "ProtectedTable",
    "ReleaseLedger",
    "ReleaseRefused",
    "canonical",
    "crosstab",
    "dataset_version",
    "describe",
    "dp_counts",
    "hidden_intervals",
    "hidden_widths",
    "one_per_person",
    "quality_metrics",
    "read_records",
    "release",
    "suppress",
    "suppress_jointly",
    "synthesise",
    "table_equations",
    "to_csv",
    "to_rows",
]


def release(
    table: Any,
    by: Sequence[str],
    *,
    k: int | None = None,
    epsilon: float | None = None,
    dataset_id: str = "default",
    release_ledger: ReleaseLedger | str | os.PathLike[str] | None = None,
    budget_ledger: BudgetLedger | None = None,
    alpha: float = 0.05,
) -> ProtectedTable:
    """One protected table: suppression with threshold ``k`` (default 11) or, with ``epsilon``,
    differentially private counts charged to ``budget_ledger`` (required then)."""
    if k is not None and epsilon is not None:
        raise ValueError("choose either k (suppression) or epsilon (differential privacy), not both")
    if epsilon is not None:
        if budget_ledger is None:
            raise ValueError("a differentially private release needs a budget ledger")
        return dp_counts(table, by, epsilon, budget_ledger, dataset_id=dataset_id, alpha=alpha)
    ledger = release_ledger
    if ledger is not None and not isinstance(ledger, ReleaseLedger):
        ledger = ReleaseLedger(ledger)
    return suppress(crosstab(table, by, dataset_id=dataset_id), k or DEFAULT_K, ledger=ledger)
