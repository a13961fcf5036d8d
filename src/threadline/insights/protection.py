"""Protected tables for the web side: every figure a page shows or a download carries comes from here.

A :class:`Figures` is the serialisable form of the disclosure engine's ``ProtectedTable``: for each cell
(a key with ``None`` where a field is summed over) the published value, or ``None`` when suppressed, and
the accuracy of a differentially private figure. Nothing unpublished is ever kept in it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from threadline.insights.stores import DEFAULT_K, DP_YEARS

log = logging.getLogger(__name__)


FIELD_LABELS = {
    "yearOfRegistration": _("Year of registration"),
    "gender": _("Gender"),
    "ageBroad": _("Age band"),
    "majorityStatus": _("Child or adult"),
    "majorityStatusAtExploit": _("Child or adult at exploitation"),
    "majorityEntry": _("Child or adult at entry"),
    "citizenship": _("Citizenship"),
    "CountryOfExploitation": _("Country of exploitation"),
    "RecruiterRelationship": _("Recruiter relationship"),
    "isSexualExploit": _("Sexual exploitation"),
    "isForcedLabour": _("Forced labour"),
    "isForcedCriminality": _("Forced criminality"),
    "isOtherExploit": _("Other exploitation"),
    "isForcedMarriage": _("Forced marriage"),
}


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    if name.startswith("meansOfControl"):
        return _split_camel(name.removeprefix("meansOfControl"))
    if name.startswith("recruiterRelation"):
        return _split_camel(name.removeprefix("recruiterRelation"))
    return _split_camel(name.removeprefix("is"))


#: Released values in words (the codes stay in CSV downloads, where programs read them).
VALUE_LABELS = {
    "gender": {
        "Female": _("Female"),
        "Male": _("Male"),
        "Woman": _("Woman"),
        "Man": _("Man"),
        "Transgender/NonConforming": _("Transgender or non-conforming"),
        "Trans/Transgender/NonConforming": _("Transgender or non-conforming"),
    },
    "majority": {"Minor": _("Child (under 18)"), "Adult": _("Adult (18 or older)")},
    "RecruiterRelationship": {"Intimate Partner": _("Intimate partner"), "Friend": _("Friend"), "Family": _("Family")},
    "flag": {"1": _("Yes"), "0": _("No")},
    "any": {"Total": _("Total"), "Unknown": _("Unknown"), "Other": _("Other")},
}
_MAJORITY_FIELDS = {"majorityStatus", "majorityStatusAtExploit", "majorityEntry"}


def value_label(name: str, value: Any) -> str:
    """A released value as the reader reads it, in their language: "Yes"/"No" for a flag, "Child (under 18)"
    for ``Minor``, "0–8" for the age band ``0--8``. Years and country codes are shown as they are."""
    from threadline.engines.disclosure import FLAG_FIELDS

    text = "" if value is None else str(value)
    if name in FLAG_FIELDS:
        group = "flag"
    elif name in _MAJORITY_FIELDS:
        group = "majority"
    elif name == "ageBroad":
        return str(VALUE_LABELS["any"].get(text, text.replace("--", "–")))
    else:
        group = name
    label = VALUE_LABELS.get(group, {}).get(text) or VALUE_LABELS["any"].get(text)
    return str(label) if label is not None else text


def _split_camel(text: str) -> str:
    out = "".join(f" {c.lower()}" if c.isupper() and i else c for i, c in enumerate(text))
    return out[:1].upper() + out[1:]


def release_fields() -> list[str]:
    from threadline.engines.disclosure import ALLOWED_FIELDS

    return list(ALLOWED_FIELDS)


def dp_fields() -> set[str]:
    from threadline.engines.disclosure import ALLOWED_FIELDS

    return set(ALLOWED_FIELDS)


@dataclass
class Figures:
    by: list[str]
    categories: dict[str, list[str]]
    cells: dict[tuple, tuple[int | None, float | None]]
    method: str
    k: int | None = None
    epsilon: float | None = None
    alpha: float | None = None
    notes: list[str] = field(default_factory=list)
    refused: str = ""

    def value(self, key) -> int | None:
        return self.cells.get(tuple(key), (None, None))[0]

    def accuracy(self, key) -> float | None:
        return self.cells.get(tuple(key), (None, None))[1]

    def get(self, **where) -> tuple[int | None, float | None]:
        """The figure where each named field has the given category (others summed over)."""
        key = tuple(where.get(f) for f in self.by)
        return self.cells.get(key, (None, None))

    def to_payload(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "categories": self.categories,
            "cells": [[list(key), v, a] for key, (v, a) in self.cells.items()],
            "method": self.method,
            "k": self.k,
            "epsilon": self.epsilon,
            "alpha": self.alpha,
            "notes": self.notes,
            "refused": self.refused,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Figures:
        return cls(
            by=list(data["by"]),
            categories={f: list(c) for f, c in data["categories"].items()},
            cells={tuple(key): (v, a) for key, v, a in data["cells"]},
            method=data["method"],
            k=data.get("k"),
            epsilon=data.get("epsilon"),
            alpha=data.get("alpha"),
            notes=list(data.get("notes", [])),
            refused=data.get("refused", ""),
        )

    @classmethod
    def refusal(cls, by: list[str], method: str, reason: str) -> Figures:
        return cls(by=list(by), categories={}, cells={}, method=method, refused=reason)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per figure, in the engine's CSV layout ("Total" where a field is summed over)."""
        from threadline.engines.disclosure import TOTAL

        confidence = f"{100 * (1 - self.alpha):g}%" if self.alpha else ""
        out = []
        for key, (value, acc) in self.cells.items():
            row: dict[str, Any] = {f: (TOTAL if v is None else v) for f, v in zip(self.by, key, strict=True)}
            row["count"] = value
            row["status"] = "suppressed" if value is None else ""
            row["accuracy"] = None if acc is None else round(acc, 2)
            row["confidence"] = confidence if acc is not None else ""
            out.append(row)
        return out


def from_protected(table) -> Figures:
    """The engine's ProtectedTable -> Figures (the suppression reason is dropped: it must never show)."""
    return Figures(
        by=list(table.by),
        categories={f: list(c) for f, c in table.categories.items()},
        cells={tuple(c.key): (c.value, c.accuracy) for c in table.cells},
        method=table.method,
        k=table.k,
        epsilon=table.epsilon,
        alpha=table.alpha,
        notes=list(table.notes),
    )


def records(organisation, columns: list[str]):
    """The organisation's records (one row per record; ``cluster_id`` marks the estimated person)."""
    from threadline.engines.insights import records_table
    from threadline.insights.stores import store_for

    return records_table(store_for(organisation), columns=[*dict.fromkeys([*columns, "cluster_id"])])


def compute_suppressed_set(
    organisation,
    specs: list[list[str]],
    *,
    k: int = DEFAULT_K,
    version: str = "",
    max_categories: dict[str, int] | None = None,
) -> list[Figures]:
    """k-suppression of tables shown together (the dashboards), audited as one system with each other and
    with every release of this dataset version, and recorded in the release ledger as "dashboard" entries:
    a later release is audited against them, and a later version of the data cannot be subtracted from
    them (difference suppression). A table that cannot be protected comes back as a refusal."""
    from threadline.engines.disclosure import PERSON_COLUMN, ReleaseRefused, crosstab, one_per_person, suppress_jointly
    from threadline.insights.stores import dataset_id, release_ledger

    # One person, one record, once for all the tables (crosstab would otherwise de-duplicate for each).
    table = one_per_person(records(organisation, [f for by in specs for f in by])).drop_columns([PERSON_COLUMN])
    dataset = dataset_id(organisation)
    crosstabs, positions = [], []
    results: list[Figures | None] = [None] * len(specs)
    for i, by in enumerate(specs):
        try:
            ct = crosstab(table, by, dataset_id=dataset, version=version or None, allowed=release_fields())
        except ValueError as exc:
            log.warning("dashboard table refused: %s", type(exc).__name__)
            results[i] = Figures.refusal(by, "suppression", str(_("These figures cannot be computed for this data.")))
            continue
        crosstabs.append(ct)
        positions.append(i)
    try:
        protected = suppress_jointly(
            crosstabs, k, ledger=release_ledger(organisation), max_categories=max_categories, kind="dashboard"
        )
    except ReleaseRefused as exc:  # the set as a whole (earlier releases pin a figure; no convergence)
        protected = [exc] * len(crosstabs)
    for i, result in zip(positions, protected, strict=True):
        if isinstance(result, ReleaseRefused):
            results[i] = Figures.refusal(
                specs[i], "suppression", str(_("These figures cannot be shown without revealing a suppressed cell."))
            )
        else:
            results[i] = from_protected(result)
    return results  # type: ignore[return-value]  # every position is filled above


def dp_categories(by: list[str]) -> dict[str, list[str]]:
    """Public category lists where the engine's codebook and the store's vocabulary differ (recruiter)."""
    from threadline.engines.insights.schema import ENUM_COLUMNS

    return {f: list(ENUM_COLUMNS[f]) for f in by if f == "RecruiterRelationship"}


def compute_dp(organisation, by: list[str], *, epsilon: float, what: str) -> Figures:
    """Differentially private counts charged to the organisation's budget (raises BudgetExceeded)."""
    from threadline.engines.disclosure import dp_counts
    from threadline.insights.stores import budget_ledger, dataset_id

    table = records(organisation, by)
    protected = dp_counts(
        table,
        by,
        epsilon,
        budget_ledger(organisation),
        dataset_id=dataset_id(organisation),
        years=DP_YEARS,
        categories=dp_categories(by),
    )
    figures = from_protected(protected)
    figures.notes.append(str(what))
    return figures


def budget_status(organisation) -> dict[str, float]:
    from threadline.insights.stores import budget_ledger, dataset_id

    ledger = budget_ledger(organisation)
    ds = dataset_id(organisation)
    return {"total": ledger.total(ds), "spent": ledger.spent(ds), "remaining": ledger.remaining(ds)}
