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
import math
from collections.abc import Iterable
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
    if k < 2:
        raise ValueError("k must be at least 2")
    ctx: Any = ledger.transaction() if ledger is not None else contextlib.nullcontext(None)
    with ctx as data:
        prior = [r for r in (data["releases"] if data else []) if r.get("dataset_id") == ct.dataset_id]
        if recode:
            fixed: dict[str, list[str]] = {}
            for r in prior:
                if r["version"] == ct.version:
                    for f in ct.by:
                        if f in r["categories"] and f not in fixed:
                            fixed[f] = list(r["categories"][f])
            ct = recode_rare(ct, k, fixed)
        by = ct.by
        values = ct.with_margins()
        nonzero = [v for v in values.values() if v > 0]
        small = sum(1 for v in nonzero if v < k)
        if nonzero and small / len(nonzero) > max_primary_share:
            raise ReleaseRefused(
                f"table by {list(by)} is too sparse: {small} of {len(nonzero)} non-zero figures are below "
                f"k={k}; group by fewer fields or coarser categories"
            )
        ckey = {key: canonical(by, key) for key in values}
        table = _protect(ct, k, values, ckey, prior)
        if data is not None:
            data["releases"].append(
                {
                    "release": len(data["releases"]) + 1,
                    "dataset_id": ct.dataset_id,
                    "version": ct.version,
                    "method": "suppression",
                    "k": k,
                    "by": list(by),
                    "categories": {f: list(c) for f, c in ct.categories.items()},
                    "published": {ckey[c.key]: c.value for c in table.cells},
                    "at": _now(),
                }
            )
            table.meta["release"] = data["releases"][-1]["release"]
    return table


def _protect(
    ct: Crosstab, k: int, values: dict[Key, int], ckey: dict[Key, str], prior: list[dict[str, Any]]
) -> ProtectedTable:
    by = ct.by
    same = [r for r in prior if r["version"] == ct.version]
    other_versions = [r for r in prior if r["version"] != ct.version]
    notes: list[str] = []

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
    equations.extend(table_equations(by, ct.categories))

    reason: dict[Key, str] = {}
    for key, v in values.items():
        if 0 < v < k:
            reason[key] = PRIMARY
    earlier: dict[str, list[int]] = {}
    for r in other_versions:
        for c, v in r["published"].items():
            if v is not None:
                earlier.setdefault(c, []).append(int(v))
    for key, v in values.items():
        if key in reason or v == 0:
            continue
        if any(0 < abs(v - p) < k for p in earlier.get(ckey[key], [])):
            reason[key] = DIFFERENCE
    for key in values:
        # Hidden by an earlier release of this version: stays hidden, or the earlier protection breaks.
        if key not in reason and ckey[key] in hidden_before:
            reason[key] = COMPLEMENTARY
    for key in list(reason):
        if ckey[key] in known_before:
            notes.append(f"cell {ckey[key]} was already published by an earlier release (other k?)")

    # Required attacker-interval width per hidden cell.
    truth = {ckey[key]: v for key, v in values.items()}
    # Cells the new release may still hide: not already public, not zero.
    candidates = {key for key, v in values.items() if v > 0 and ckey[key] not in known_before}

    # What earlier releases of this version already pin down: a sensitive cell's width can never exceed
    # its width with *every* still-hideable cell of this table hidden (its cap). The requirement is
    # k-1, lowered to the cap when earlier releases leave less room; below 1 the release is refused.
    cap: dict[str, float] = {}
    if same:
        cap_known = dict(known_before)
        cap_known.update({ckey[key]: v for key, v in values.items() if key not in candidates})
        cap_sys = _System(equations, cap_known, {ckey[key] for key in candidates} | hidden_before)
        targets = [ckey[key] for key in reason if ckey[key] in cap_sys.index]
        cap = cap_sys.widths(targets, need=dict.fromkeys(targets, float(k - 1)), truth=truth)
        disclosed = [c for c, w in cap.items() if w < 1 - 1e-6]
        if disclosed:
            raise ReleaseRefused(
                f"earlier releases of this dataset version already determine {len(disclosed)} cell(s) of this "
                "table that must be hidden; release refused"
            )

    def required(key: Key) -> float:
        if reason.get(key) in (PRIMARY, DIFFERENCE):
            return min(float(k - 1), cap.get(ckey[key], math.inf))
        return 1.0

    prior_need: dict[str, float] = {}
    if hidden_before:
        prior_sys = _System(prior_equations, known_before, hidden_before)
        for c, w in prior_sys.widths(prior_sys.hidden, need=dict.fromkeys(prior_sys.hidden, float(k - 1))).items():
            prior_need[c] = min(float(k - 1), w)
    lines = _lines(by, values.keys(), ct.categories)

    def deficit_in_line(line: list[Key], key: Key) -> float:
        """Necessary condition: alone in its line a hidden cell is determined; otherwise it can rise at
        most by the others' room above 1 and fall at most to 1."""
        others = [c for c in line if c != key and c in reason and ckey[c] not in known_before]
        if not others:
            return max(required(key), 1.0)
        return required(key) - (values[key] - 1) - sum(values[c] - 1 for c in others)

    def pick(pool: Iterable[Key], need: float) -> Key | None:
        options = [c for c in pool if c in candidates and c not in reason]
        if not options:
            return None
        return min(options, key=lambda c: (values[c] - 1 < need, sum(x is None for x in c), values[c], ckey[c]))

    # Steps 3-4: line-by-line complementary suppression to a fixpoint (cheap necessary condition).
    changed = True
    while changed:
        changed = False
        for line in lines:
            for key in line:
                if key not in reason or ckey[key] in known_before or key not in candidates:
                    continue
                need = deficit_in_line(line, key)
                if need > 0:
                    c = pick(line, need)
                    if c is not None:
                        reason[c] = COMPLEMENTARY
                        changed = True

    # Step 5: exact audit, jointly with earlier releases of the same version.
    # Hiding one more cell only enlarges the attacker's feasible set, so a cell that passed stays
    # passed: each round re-checks only the cells that failed and the newly hidden ones.
    key_of = {ckey[key]: key for key in values}
    passed: set[str] = set()
    for _ in range(2 * len(values) + 2):
        hidden_now = {ckey[key] for key in reason} | hidden_before
        known = dict(known_before)
        known.update({ckey[key]: v for key, v in values.items() if key not in reason})
        system = _System(equations, known, hidden_now)
        needs: dict[str, float] = {}
        for c in system.hidden:
            if c in passed:
                continue
            if c in key_of and key_of[c] in reason:
                needs[c] = required(key_of[c])
                if c in prior_need:
                    needs[c] = min(needs[c], max(prior_need[c], 1.0))
            else:
                needs[c] = prior_need.get(c, 1.0)
        widths = system.widths(list(needs), need=needs, truth=truth)
        failing: list[tuple[str, float]] = []
        for c, w in widths.items():
            need = needs[c]
            if w < need - 1e-6:
                failing.append((c, need - w))
            else:
                passed.add(c)
        if not failing:
            break
        used_components: set[int] = set()
        added = False
        for c, need in failing:
            comp = system.component[system.index[c]]
            if comp in used_components:
                continue
            pool: list[Key] = []
            own = key_of.get(c)
            if own is not None:
                pool = [x for line in lines if own in line for x in line]
            choice = pick(pool, need)
            if choice is None:
                members = {key_of[m] for m in system.component_of(c) if m in key_of}
                pool = [x for line in lines if members & set(line) for x in line]
                choice = pick(pool, need)
            if choice is None:
                choice = pick(values.keys(), need)
            if choice is not None:
                reason[choice] = COMPLEMENTARY
                used_components.add(comp)
                added = True
        if not added:
            # Last resort, with nothing left to hide: a complementary cell that the attacker can compute
            # exactly protects nothing, so publish it (its value is known anyway, the attacker's feasible
            # set does not change) rather than refuse the release.
            determined = [
                key_of[c]
                for c, _ in failing
                if c in key_of
                and reason.get(key_of[c]) == COMPLEMENTARY
                and c not in hidden_before
                and widths[c] < TOLERANCE
            ]
            if determined:
                for key in determined:
                    del reason[key]
                    candidates.discard(key)
                continue
            raise ReleaseRefused(
                f"table by {list(by)} cannot be released without revealing a suppressed cell of this or an "
                "earlier release (nothing left to suppress)"
            )
    else:  # pragma: no cover - bounded by the number of cells
        raise ReleaseRefused("suppression did not converge")

    cells = [ProtectedCell(key, None if key in reason else values[key], reason.get(key)) for key in ct.all_keys()]
    n_primary = sum(1 for r in reason.values() if r == PRIMARY)
    if n_primary and math.isfinite(k):
        notes.append(f"{n_primary} cell(s) below k={k} and {len(reason) - n_primary} more suppressed to protect them")
    return ProtectedTable(
        by=by,
        categories=dict(ct.categories),
        cells=cells,
        method="suppression",
        dataset_id=ct.dataset_id,
        version=ct.version,
        k=k,
        notes=notes,
    )
