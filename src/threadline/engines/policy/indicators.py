"""Monitoring indicators computed with disclosure control: no published figure rests on fewer than k people.

Pure functions over counts and plain rows. A :class:`Figure` is either a value with the number of people it
rests on, or suppressed (``value`` is None) with no count at all: a suppressed figure must not leak its size.

- :func:`rate_per_100k`: SDG 16.2.2 style rates (detected victims per 100,000 population).
- :func:`share`: a percentage whose numerator, denominator and complement are all at least k.
- :func:`median_days`: the median of waiting times (days), from at least k people.
- :func:`headcount` and :func:`headcounts`: numbers of people (prevention reach), a total and one breakdown
  with primary and complementary suppression.
- :func:`service_quality`: survivor feedback by service area, through the disclosure engine's suppression.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

K = 11


@dataclass(frozen=True)
class Figure:
    value: float | None
    n: int | None = None  # people the figure rests on (None when suppressed)

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n, "suppressed": self.suppressed}


SUPPRESSED = Figure(None, None)


def rate_per_100k(count: int | None, population: int | None, *, k: int = K) -> Figure:
    """Victims per 100,000 population, rounded to two decimals; suppressed when the count is unknown or
    below k, or there is no population figure."""
    if count is None or count < k or not population or population <= 0:
        return SUPPRESSED
    return Figure(round(count * 100_000 / population, 2), count)


def share(numerator: int | None, denominator: int | None, *, k: int = K) -> Figure:
    """A percentage (one decimal). Suppressed unless the numerator, the denominator and the rest (denominator
    minus numerator) are each at least k: otherwise a small group could be read off by difference."""
    if numerator is None or denominator is None or denominator <= 0:
        return SUPPRESSED
    if numerator < k or denominator < k or denominator - numerator < k:
        return SUPPRESSED
    return Figure(round(100 * numerator / denominator, 1), denominator)


def median_days(days: Iterable[int], *, k: int = K) -> Figure:
    """The median of waiting times in days (negative values are data errors and left out)."""
    values = sorted(d for d in days if d is not None and d >= 0)
    if len(values) < k:
        return SUPPRESSED
    return Figure(float(statistics.median(values)), len(values))


def headcount(n: int | None, *, k: int = K) -> Figure:
    """A number of people: published only from k people up."""
    if n is None or n < k:
        return SUPPRESSED
    return Figure(float(n), n)


def headcounts(counts: Mapping[str, int], *, k: int = K) -> dict[str, Figure]:
    """One breakdown of a published total into categories (by sex, by age band), every figure at least k.

    Empty categories are left out. A count of 1 to k - 1 is hidden (primary), and so are the next smallest
    ones until the hidden counts add up to at least k (complementary): the total minus the shown figures
    would otherwise give a hidden count, or a hidden pair's sum under k. With a total under k nothing is shown.
    """
    present = {name: int(n) for name, n in counts.items() if n and n > 0}
    if sum(present.values()) < k:
        return dict.fromkeys(present, SUPPRESSED)
    hidden = {name for name, n in present.items() if n < k}
    if hidden:
        for name in sorted(present, key=lambda c: (present[c], c)):
            if sum(present[c] for c in hidden) >= k and len(hidden) > 1:
                break
            hidden.add(name)
    return {name: SUPPRESSED if name in hidden else headcount(n, k=k) for name, n in present.items()}


def service_quality(
    rows: Sequence[Mapping[str, Any]],
    *,
    area_field: str,
    dimensions: Sequence[str],
    positive: str = "yes",
    k: int = K,
) -> list[dict[str, Any]]:
    """Survivor feedback as service-quality indicators: for each service area and dimension, how many
    answered and the share answering ``positive``.

    Counts are protected by the disclosure engine (primary and complementary suppression at k, one table per
    dimension, area by answer); a share is shown only from published counts and only when it passes
    :func:`share`. A dimension whose table cannot be protected at all yields no rows.
    """
    from threadline.engines.disclosure import MISSING, OTHER, ReleaseRefused, crosstab, suppress

    out: list[dict[str, Any]] = []
    if not rows:
        return out
    # An area with fewer than k answers is shown as hidden and left out of the tables: kept in, it would force
    # the suppression of the large areas' figures that, with the margins, would reveal it.
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r.get(area_field) or ""] = sizes.get(r.get(area_field) or "", 0) + 1
    small = sorted(a for a, n in sizes.items() if a and n < k)
    rows = [r for r in rows if (r.get(area_field) or "") not in small]
    for dimension in dimensions:
        out.extend(
            {"area": a, "dimension": dimension, "responses": None, "positive": None, "share": None} for a in small
        )
        if not rows:
            continue
        # Only "yes" against any other answer is needed for the share: fewer, larger cells, less suppressed.
        records = [
            {area_field: r.get(area_field) or "", dimension: _collapse(r.get(dimension), positive)} for r in rows
        ]
        try:
            ct = crosstab(records, [area_field, dimension], allowed=[area_field, dimension], dataset_id="feedback")
            table = suppress(ct, k, recode=False)
        except (ReleaseRefused, ValueError):
            continue
        published = {c.key: c.value for c in table.cells}
        for area in table.categories[area_field]:
            if area in (OTHER, MISSING):
                continue
            answered = published.get((area, None))
            yes = published.get((area, positive))
            unknown = published.get((area, MISSING)) or 0
            base = None if answered is None else answered - unknown
            figure = share(yes, base, k=k) if answered is not None else SUPPRESSED
            out.append(
                {
                    "area": area,
                    "dimension": dimension,
                    "responses": answered,
                    "positive": yes,
                    "share": figure.value,
                }
            )
    return out


def _collapse(answer: Any, positive: str) -> str:
    if not answer:
        return ""
    return positive if answer == positive else "not_" + positive
