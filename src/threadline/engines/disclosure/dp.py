"""Differentially private counts with OpenDP, charged against a per-dataset budget.

Mechanism: each person (one record after :func:`~.crosstab.one_per_person`) becomes the string of its
categories; OpenDP's ``make_count_by_categories`` counts them over the *public* codebook product (every
field's codebook plus "Other" and "Unknown", so category labels never depend on the data), and
``make_laplace`` adds discrete Laplace noise to the vector of counts. Adding or removing one person
changes one count by one (L1 sensitivity 1), so ``scale = 1/epsilon`` gives epsilon-DP; the epsilon that
is charged is the one OpenDP's privacy map reports for a symmetric distance of 1.

Post-processing (free under DP): interior counts are clamped to non-negative integers; every total is
the clamped sum of the *unclamped* noisy interior counts beneath it.

Accuracy (half-width of a (1 - alpha) interval around the true count):
- interior cell: OpenDP's ``discrete_laplacian_scale_to_accuracy(scale, alpha)``; clamping at zero only
  moves a figure towards the truth, so the bound still holds;
- total of m cells: the smaller of the union bound ``m * accuracy(scale, alpha / m)`` and Chebyshev's
  ``sqrt(m * Var / alpha)`` with ``Var = 2p / (1 - p)^2``, ``p = exp(-1/scale)`` (variance of the discrete
  Laplace distribution). Both hold for any m; both are conservative.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from threadline.engines.disclosure.crosstab import (
    MAX_CELLS,
    Crosstab,
    as_arrow,
    dataset_version,
    one_per_person,
)
from threadline.engines.disclosure.fields import (
    COUNTRY_FIELDS,
    OTHER,
    check_fields,
    normalise,
    public_codebook,
)
from threadline.engines.disclosure.ledger import BudgetLedger
from threadline.engines.disclosure.protected import ProtectedCell, ProtectedTable

SEP = "\x1f"


def _opendp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def _country_alpha(values: list[str]) -> int:
    """ISO alpha-2 or alpha-3, from the format of the column (a schema property, not a count)."""
    lengths = [len(v) for v in values if v.isalpha() and v.isupper()]
    return 3 if lengths and sum(n == 3 for n in lengths) * 2 > len(lengths) else 2


def discrete_laplace_variance(scale: float) -> float:
    p = math.exp(-1.0 / scale)
    return 2.0 * p / (1.0 - p) ** 2


@functools.lru_cache(maxsize=1024)
def total_accuracy(scale: float, m: int, alpha: float) -> float:
    """Half-width of a (1 - alpha) interval for the sum of m independent discrete Laplace(scale) noises."""
    dp = _opendp()
    union = m * float(dp.discrete_laplacian_scale_to_accuracy(scale=float(scale), alpha=alpha / m))
    chebyshev = math.sqrt(m * discrete_laplace_variance(scale) / alpha)
    return min(union, chebyshev)


def dp_counts(
    table: Any,
    by: Sequence[str],
    epsilon: float,
    ledger: BudgetLedger,
    *,
    dataset_id: str = "default",
    alpha: float = 0.05,
    categories: Mapping[str, Sequence[str]] | None = None,
    years: Sequence[int] = tuple(range(2000, 2031)),
) -> ProtectedTable:
    """Epsilon-differentially private counts of ``table`` by ``by``, with accuracy per figure.

    ``epsilon`` is charged to ``ledger`` for ``dataset_id`` *before* any noise is drawn; raises
    :class:`~.ledger.BudgetExceeded` (and releases nothing) when the dataset's budget would be exceeded.
    ``categories`` overrides the public codebook of a field (it must not be derived from the data).
    """
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise ValueError("epsilon must be a positive finite number")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    fields = check_fields(by)
    dp = _opendp()
    arrow = one_per_person(as_arrow(table))
    missing_cols = [f for f in fields if f not in arrow.column_names]
    if missing_cols:
        raise ValueError(f"records have no column(s) {missing_cols}")
    columns = {f: [normalise(v) for v in arrow.column(f).to_pylist()] for f in fields}
    cats: dict[str, tuple[str, ...]] = {}
    for f in fields:
        if categories and f in categories:
            book = list(dict.fromkeys(str(c) for c in categories[f]))
            for extra in (OTHER, "Unknown"):
                if extra not in book:
                    book.append(extra)
        else:
            alpha_n = _country_alpha(columns[f]) if f in COUNTRY_FIELDS else 2
            book = public_codebook(f, years=years, country_alpha=alpha_n)
        cats[f] = tuple(book)
        allowed = set(book)
        columns[f] = [v if v in allowed else OTHER for v in columns[f]]
    size = math.prod(len(cats[f]) for f in fields)
    if size > MAX_CELLS:
        raise ValueError(f"a table by {fields} would have {size} cells (limit {MAX_CELLS})")

    interior = list(itertools.product(*(cats[f] for f in fields)))
    labels = [SEP.join(k) for k in interior]
    records = [SEP.join(vals) for vals in zip(*(columns[f] for f in fields), strict=True)]

    space = dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()
    count = dp.t.make_count_by_categories(*space, categories=labels, null_category=False)
    scale = 1.0 / epsilon
    meas = count >> dp.m.then_laplace(scale=scale)
    while meas.map(1) > epsilon:  # floating point: never spend more than asked
        scale = math.nextafter(scale, math.inf) * (1 + 1e-12)
        meas = count >> dp.m.then_laplace(scale=scale)
    spent = float(meas.map(1))

    ledger.charge(dataset_id, spent, f"dp_counts by {','.join(fields)} (scale {scale:.6g})")
    noisy = [int(x) for x in meas(records)]

    cell_acc = float(dp.discrete_laplacian_scale_to_accuracy(scale=scale, alpha=alpha))
    raw = dict(zip(interior, noisy, strict=True))
    ct = Crosstab(tuple(fields), cats, dict.fromkeys(interior, 0), dataset_id, dataset_version(arrow), arrow.num_rows)
    sums: dict[tuple, int] = {}
    sizes: dict[tuple, int] = {}
    for key, v in raw.items():
        for mask in itertools.product((False, True), repeat=len(fields)):
            if not any(mask):
                continue
            mk = tuple(None if m else x for x, m in zip(key, mask, strict=True))
            sums[mk] = sums.get(mk, 0) + v
            sizes[mk] = sizes.get(mk, 0) + 1
    cells = []
    for key in ct.all_keys():
        if None not in key:
            cells.append(ProtectedCell(key, max(0, raw[key]), None, cell_acc))
        else:
            cells.append(ProtectedCell(key, max(0, sums[key]), None, total_accuracy(scale, sizes[key], alpha)))
    return ProtectedTable(
        by=tuple(fields),
        categories=cats,
        cells=cells,
        method="dp",
        dataset_id=dataset_id,
        version=ct.version,
        epsilon=spent,
        alpha=alpha,
        notes=[
            f"epsilon={spent:g} of this dataset's budget; remaining {ledger.remaining(dataset_id):g}",
            f"accuracy: half-width of a {100 * (1 - alpha):g}% interval around the true count",
            "totals are sums of the unclamped noisy cells, so they can differ slightly from the sum of the "
            "published cells",
        ],
        meta={"scale": scale, "mechanism": "OpenDP make_count_by_categories >> make_laplace (discrete)"},
    )
