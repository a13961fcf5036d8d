"""Cell suppression with complementary suppression, audited against the release ledger.

Algorithm (see docs/disclosure-control.md):

1. Recode: categories whose overall count is below k are merged into "Other", so a category label
   never reveals that a rare value exists in the data.
2. Primary suppression: every cell, totals included, with 0 < n < k. Zeros are published.
3. Difference suppression: a cell whose value differs by 1..k-1 from the value published for the same
   cell in a release of an earlier *version* of the dataset (subtracting the two would reveal the
   records added or removed).
4. Complementary suppression along every line (a total and its children), to a fixpoint, until each
   hidden sensitive cell can be moved by at least k-1 within its line.
5. Audit by linear programming over this table *and every earlier release of the same dataset version*:
   a sensitive cell (primary or difference) must have an attacker interval at least k-1 wide (so the
   attacker cannot even prove it is below k), every other hidden cell one at least 1 wide (never exactly
   derivable), and earlier hidden cells must not lose protection. Failures add complementary
   suppressions and the audit repeats. If nothing is left to suppress, :class:`ReleaseRefused`.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from threadline.engines.disclosure.audit import TOLERANCE, Equation, _System, canonical, table_equations
from threadline.engines.disclosure.crosstab import Crosstab, Key
from threadline.engines.disclosure.fields import OTHER
from threadline.engines.disclosure.ledger import ReleaseLedger, ReleaseRefused, _now
from threadline.engines.disclosure.protected import (
    COMPLEMENTARY,
    DIFFERENCE,
    PRIMARY,
    ProtectedCell,
    ProtectedTable,
)

DEFAULT_K = 11
MAX_PRIMARY_SHARE = 0.5


def recode_rare(ct: Crosstab, k: int, fixed: dict[str, list[str]] | None = None) -> Crosstab:
    """Merge every category with total < k into "Other" (field by field).

    ``fixed`` gives, per field, the categories an earlier release of the same dataset version used: they
    are kept as they were (values outside them go to "Other"), so that "Other" means the same people in
    every release of a version and the audit's equations stay true.
    """
    mapping: dict[str, dict[str, str]] = {}
    for f in ct.by:
        totals = ct.field_totals(f)
        if fixed and f in fixed:
            keep = set(fixed[f])
            rare = {c for c in totals if c not in keep and c != OTHER}
        else:
            rare = {c for c, n in totals.items() if n < k and c != OTHER}
        if rare:
            mapping[f] = dict.fromkeys(rare, OTHER)
    if not mapping:
        return ct
    return ct.recode(mapping)


def _lines(by: tuple[str, ...], keys: Iterable[Key], categories: dict[str, tuple[str, ...]]) -> list[list[Key]]:
    """Each line as [parent, *children] in table keys."""
    out = []
    for key in keys:
        for j, v in enumerate(key):
            if v is None:
                out.append([key, *((*key[:j], c, *key[j + 1 :]) for c in categories[by[j]])])
    return out


def _category_plan(
    cts: Sequence[Crosstab],
    k: int,
    fixed: dict[str, list[str]],
    max_categories: Mapping[str, int] | None,
) -> dict[str, list[str]]:
    """One category list per field for the whole set: what earlier releases of the version used, else
    the categories with a total of at least k (at most ``max_categories[field]`` of the largest)."""
    plan = {f: list(c) for f, c in fixed.items()}
    for ct in cts:
        for f in ct.by:
            if f in plan:
                continue
            totals = ct.field_totals(f)
            keep = [c for c, n in totals.items() if n >= k and c != OTHER]
            limit = (max_categories or {}).get(f)
            if limit is not None and len(keep) > limit:
                keep = sorted(keep, key=lambda c: (-totals[c], c))[:limit]
                keep = [c for c in ct.categories[f] if c in keep]
            plan[f] = keep
    return plan


def suppress(
    ct: Crosstab,
    k: int = DEFAULT_K,
    *,
    ledger: ReleaseLedger | None = None,
    recode: bool = True,
    max_primary_share: float = MAX_PRIMARY_SHARE,
) -> ProtectedTable:
    """Protect ``ct`` by primary and complementary suppression (threshold ``k``, CTDC uses 11).

    With a ``ledger`` the table is audited together with every earlier release of the same dataset and
    recorded in the ledger (one locked transaction). Raises :class:`ReleaseRefused` if no suppression
    pattern can make it safe, or if more than ``max_primary_share`` of the non-zero cells are below k
    (such a table would be almost entirely hidden: group by fewer fields or coarser categories).
    """
    (result,) = suppress_jointly([ct], k, ledger=ledger, recode=recode, max_primary_share=max_primary_share)
    if isinstance(result, ReleaseRefused):
        raise result
    return result


def suppress_jointly(
    cts: Sequence[Crosstab],
    k: int = DEFAULT_K,
    *,
    ledger: ReleaseLedger | None = None,
    recode: bool = True,
    max_primary_share: float = MAX_PRIMARY_SHARE,
    max_categories: Mapping[str, int] | None = None,
    kind: str = "release",
) -> list[ProtectedTable | ReleaseRefused]:
    """Protect several tables of one dataset version that are published *together* (a dashboard).

    The tables are audited as one system: a cell shared by two tables (a margin of both) is one unknown
    and hidden in both or in neither, and every hidden cell must keep its attacker interval (k-1 wide for a
    cell below k, 1 wide for a complementary one) given *all* the tables and every earlier release of the
    same version in the ``ledger``. One category list per field serves the whole set (so that "Other"
    means the same people in every table); ``max_categories`` caps it per field (the largest categories
    stay, the rest become "Other").

    Returns one result per input table, in order: its :class:`ProtectedTable`, or the
    :class:`ReleaseRefused` explaining why it cannot be shown (too sparse, or no suppression pattern
    protects it alongside the others); a refused table publishes nothing and the others are protected
    without it. With a ``ledger`` every protected table is recorded in one locked transaction, marked with
    ``kind``; a table already recorded with the same kind, grouping, k and version is returned as recorded
    and not recomputed (so concurrent callers get the same figures and the ledger no duplicates).
    """
    if k < 2:
        raise ValueError("k must be at least 2")
    if len({ct.dataset_id for ct in cts}) > 1 or len({ct.version for ct in cts}) > 1:
        raise ValueError("tables protected jointly must come from one dataset version")
    ctx: Any = ledger.transaction() if ledger is not None else contextlib.nullcontext(None)
    with ctx as data:
        results: list[ProtectedTable | ReleaseRefused | None] = [None] * len(cts)
        if not cts:
            return []
        dataset_id, version = cts[0].dataset_id, cts[0].version
        prior = [r for r in (data["releases"] if data else []) if r.get("dataset_id") == dataset_id]
        for i, ct in enumerate(cts):
            recorded = next(
                (
                    r
                    for r in prior
                    if r.get("kind", "release") == kind
                    and kind != "release"
                    and r["version"] == version
                    and r["by"] == list(ct.by)
                    and r.get("k") == k
                ),
                None,
            )
            if recorded is not None:
                results[i] = _from_record(recorded)
        todo = [i for i, r in enumerate(results) if r is None]
        if recode:
            fixed: dict[str, list[str]] = {}
            for r in prior:
                if r["version"] == version:
                    for f, cats in r["categories"].items():
                        fixed.setdefault(f, list(cats))
            plan = _category_plan([cts[i] for i in todo], k, fixed, max_categories)
            recoded = {i: recode_rare(cts[i], k, plan) for i in todo}
        else:
            recoded = {i: cts[i] for i in todo}
        for i in list(todo):
            values = recoded[i].with_margins()
            nonzero = [v for v in values.values() if v > 0]
            small = sum(1 for v in nonzero if v < k)
            if nonzero and small / len(nonzero) > max_primary_share:
                results[i] = ReleaseRefused(
                    f"table by {list(recoded[i].by)} is too sparse: {small} of {len(nonzero)} non-zero figures are "
                    f"below k={k}; group by fewer fields or coarser categories"
                )
                todo.remove(i)
        while todo:
            try:
                tables = _protect_set([recoded[i] for i in todo], k, prior)
            except _Stuck as stuck:
                # No suppression pattern protects these cells alongside the other tables: leave out the
                # tables that hold them (publishing less only widens the attacker's intervals) and redo.
                blocked = [i for i in todo if stuck.cells & _canonical_cells(recoded[i])]
                for i in blocked or todo:
                    results[i] = ReleaseRefused(stuck.message.format(by=list(recoded[i].by)))
                todo = [i for i in todo if results[i] is None]
                continue
            for i, table in zip(todo, tables, strict=True):
                results[i] = table
                if data is not None:
                    data["releases"].append(_record(table, len(data["releases"]) + 1, kind))
                    table.meta["release"] = data["releases"][-1]["release"]
            break
    return list(results)  # type: ignore[arg-type]


def _record(table: ProtectedTable, number: int, kind: str) -> dict[str, Any]:
    entry = {
        "release": number,
        "dataset_id": table.dataset_id,
        "version": table.version,
        "method": "suppression",
        "k": table.k,
        "by": list(table.by),
        "categories": {f: list(c) for f, c in table.categories.items()},
        "published": {canonical(table.by, c.key): c.value for c in table.cells},
        "at": _now(),
    }
    if kind != "release":
        entry["kind"] = kind
    return entry


def _from_record(entry: dict[str, Any]) -> ProtectedTable:
    """A table recorded in the ledger, as it was published (suppression reasons are not kept there)."""
    by = tuple(entry["by"])
    categories = {f: tuple(entry["categories"][f]) for f in by}
    keys = list(itertools.product(*([*categories[f], None] for f in by)))
    keys.sort(key=lambda key: sum(x is None for x in key))
    published = entry["published"]
    cells = [ProtectedCell(key, published.get(canonical(by, key))) for key in keys]
    table = ProtectedTable(
        by=by,
        categories=categories,
        cells=cells,
        method="suppression",
        dataset_id=entry["dataset_id"],
        version=entry["version"],
        k=entry.get("k"),
    )
    table.meta["release"] = entry["release"]
    return table


def _canonical_cells(ct: Crosstab) -> set[str]:
    return {canonical(ct.by, key) for key in ct.all_keys()}


class _Stuck(Exception):
    """Cells that no suppression pattern of the set can protect; ``message`` names the table as {by}."""

    def __init__(self, cells: set[str], message: str):
        super().__init__(message)
        self.cells = cells
        self.message = message


def _protect_set(cts: Sequence[Crosstab], k: int, prior: list[dict[str, Any]]) -> list[ProtectedTable]:
    """Steps 2-5 for a set of tables of one version, in canonical cell names (shared cells are one)."""
    version = cts[0].version
    same = [r for r in prior if r["version"] == version]
    other_versions = [r for r in prior if r["version"] != version]
    known_before: dict[str, int] = {}
    hidden_before: set[str] = set()
    equations: list[Equation] = []
    for r in same:
        equations.extend(table_equations(r["by"], r["categories"]))
        for c, v in r["published"].items():
            if v is None:
                hidden_before.add(c)
            else:
                known_before[c] = int(v)
    hidden_before -= known_before.keys()
    prior_equations = list(equations)

    # Every cell of the set once, by canonical name (a shared margin is the same figure in every table).
    truth: dict[str, int] = {}
    depth: dict[str, int] = {}  # fields fixed (not summed over): more is more interior
    table_cells: list[dict[Key, str]] = []
    lines: list[list[str]] = []
    seen_lines: set[tuple[str, ...]] = set()
    for ct in cts:
        equations.extend(table_equations(ct.by, ct.categories))
        values = ct.with_margins()
        ckey = {key: canonical(ct.by, key) for key in values}
        table_cells.append(ckey)
        for key, v in values.items():
            c = ckey[key]
            if truth.setdefault(c, v) != v:
                raise ValueError(f"tables of one set disagree on the cell {c} (different categories?)")
            depth[c] = sum(x is not None for x in key)
        for line in _lines(ct.by, values.keys(), ct.categories):
            names = tuple(ckey[x] for x in line)
            if names not in seen_lines:
                seen_lines.add(names)
                lines.append(list(names))
    lines_of: dict[str, list[int]] = {}
    for n, line in enumerate(lines):
        for c in line:
            lines_of.setdefault(c, []).append(n)

    reason: dict[str, str] = {}
    for c, v in truth.items():
        if 0 < v < k:
            reason[c] = PRIMARY
    earlier: dict[str, list[int]] = {}
    for r in other_versions:
        for c, v in r["published"].items():
            if v is not None:
                earlier.setdefault(c, []).append(int(v))
    for c, v in truth.items():
        if c in reason or v == 0:
            continue
        if any(0 < abs(v - p) < k for p in earlier.get(c, [])):
            reason[c] = DIFFERENCE
    for c in truth:
        # Hidden by an earlier release of this version: stays hidden, or the earlier protection breaks.
        if c not in reason and c in hidden_before:
            reason[c] = COMPLEMENTARY
    already = {c for c in reason if c in known_before}

    # Cells the set may still hide: not already public, not zero.
    candidates = {c for c, v in truth.items() if v > 0 and c not in known_before}

    # What earlier releases of this version already pin down: a sensitive cell's width can never exceed
    # its width with *every* still-hideable cell of the set hidden (its cap). The requirement is k-1,
    # lowered to the cap when earlier releases leave less room; below 1 the release is refused.
    cap: dict[str, float] = {}
    if same:
        cap_known = dict(known_before)
        cap_known.update({c: v for c, v in truth.items() if c not in candidates})
        cap_sys = _System(equations, cap_known, candidates | hidden_before)
        targets = [c for c in reason if c in cap_sys.index]
        cap = cap_sys.widths(targets)
        disclosed = [c for c, w in cap.items() if w < 1 - 1e-6]
        if disclosed:
            raise _Stuck(
                set(disclosed),
                f"earlier releases of this dataset version already determine {len(disclosed)} cell(s) of the "
                "table by {by} that must be hidden; release refused",
            )

    def required(c: str) -> float:
        if reason.get(c) in (PRIMARY, DIFFERENCE):
            return min(float(k - 1), cap.get(c, math.inf))
        return 1.0

    prior_need: dict[str, float] = {}
    if hidden_before:
        prior_sys = _System(prior_equations, known_before, hidden_before)
        for c, w in prior_sys.widths(prior_sys.hidden).items():
            prior_need[c] = min(float(k - 1), w)

    def deficit_in_line(line: list[str], c: str) -> float:
        """Necessary condition: alone in its line a hidden cell is determined; otherwise it can rise at
        most by the others' room above 1 and fall at most to 1."""
        others = [x for x in line if x != c and x in reason and x not in known_before]
        if not others:
            return max(required(c), 1.0)
        return required(c) - (truth[c] - 1) - sum(truth[x] - 1 for x in others)

    def pick(pool: Iterable[str], need: float) -> str | None:
        options = [x for x in pool if x in candidates and x not in reason]
        if not options:
            return None
        return min(options, key=lambda x: (truth[x] - 1 < need, -depth[x], truth[x], x))

    def along_lines(cells: Iterable[str]) -> list[str]:
        return [x for n in {n for c in cells for n in lines_of.get(c, [])} for x in lines[n]]

    # Steps 3-4: line-by-line complementary suppression to a fixpoint (cheap necessary condition).
    changed = True
    while changed:
        changed = False
        for line in lines:
            for c in line:
                if c not in reason or c in known_before or c not in candidates:
                    continue
                need = deficit_in_line(line, c)
                if need > 0:
                    choice = pick(line, need)
                    if choice is not None:
                        reason[choice] = COMPLEMENTARY
                        changed = True

    # Step 5: exact audit of the whole set, jointly with earlier releases of the same version.
    # Hiding one more cell only enlarges the attacker's feasible set, so a cell that passed stays
    # passed: each round re-checks only the cells that failed and the newly hidden ones.
    passed: set[str] = set()
    for _ in range(2 * len(truth) + 2):
        hidden_now = set(reason) | hidden_before
        known = dict(known_before)
        known.update({c: v for c, v in truth.items() if c not in reason})
        system = _System(equations, known, hidden_now)
        needs: dict[str, float] = {}
        for c in system.hidden:
            if c in passed:
                continue
            if c in reason:
                needs[c] = required(c)
                if c in prior_need:
                    needs[c] = min(needs[c], max(prior_need[c], 1.0))
            else:
                needs[c] = prior_need.get(c, 1.0)
        widths = system.widths(list(needs))
        failing: list[tuple[str, float]] = []
        for c, w in widths.items():
            need = needs[c]
            if w < need - 1e-6:
                failing.append((c, need - w))
            else:
                passed.add(c)
        if not failing:
            break
        # One new partner per failing cell along its own lines, unless a partner was added to one of those
        # lines this round already (it may be enough); fallbacks once per component of the equation graph.
        touched: set[int] = set()
        used_components: set[int] = set()
        added = False
        for c, need in failing:
            own_lines = set(lines_of.get(c, []))
            if own_lines & touched:
                continue
            choice = pick(along_lines([c]), need)
            if choice is None:
                comp = system.component[system.index[c]]
                if comp in used_components:
                    continue
                used_components.add(comp)
                choice = pick(along_lines(system.component_of(c)), need)
                if choice is None:
                    choice = pick(truth, need)
            if choice is not None:
                reason[choice] = COMPLEMENTARY
                touched |= own_lines | set(lines_of.get(choice, []))
                added = True
        if not added:
            # Last resort, with nothing left to hide: a complementary cell that the attacker can compute
            # exactly protects nothing, so publish it (its value is known anyway, the attacker's feasible
            # set does not change) rather than refuse the release.
            determined = [
                c
                for c, _ in failing
                if c in truth and reason.get(c) == COMPLEMENTARY and c not in hidden_before and widths[c] < TOLERANCE
            ]
            if determined:
                for c in determined:
                    del reason[c]
                    candidates.discard(c)
                continue
            raise _Stuck(
                {c for c, _ in failing},
                "table by {by} cannot be released without revealing a suppressed cell of this or an earlier "
                "release (nothing left to suppress)",
            )
    else:  # pragma: no cover - bounded by the number of cells
        raise ReleaseRefused("suppression did not converge")

    out = []
    for ct, ckey in zip(cts, table_cells, strict=True):
        cells = [
            ProtectedCell(key, None if ckey[key] in reason else truth[ckey[key]], reason.get(ckey[key]))
            for key in ct.all_keys()
        ]
        n_primary = sum(1 for cell in cells if cell.suppressed == PRIMARY)
        n_hidden = sum(1 for cell in cells if cell.value is None)
        table_notes = [
            f"cell {c} was already published by an earlier release (other k?)"
            for c in dict.fromkeys(ckey.values())
            if c in already
        ]
        if n_primary and math.isfinite(k):
            table_notes.append(
                f"{n_primary} cell(s) below k={k} and {n_hidden - n_primary} more suppressed to protect them"
            )
        out.append(
            ProtectedTable(
                by=ct.by,
                categories=dict(ct.categories),
                cells=cells,
                method="suppression",
                dataset_id=ct.dataset_id,
                version=ct.version,
                k=k,
                notes=table_notes,
            )
        )
    return out
