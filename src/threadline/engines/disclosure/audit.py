"""The attacker's view of a set of published tables: linear equations and the interval of each hidden cell.

Every published table publishes its interior cells and all of its margins, so each total equals the sum
of its children along any summed-over field. Cells are identified across tables by their *canonical key*
(the sorted ``field=value`` pairs that are not summed over), so the count of "gender=Female" in a table
by gender and the Female margin of a table by gender x age are the same unknown.

The attacker knows every published value, every equation, and that a hidden cell is at least 1 (zeros
are always published, so a hidden cell is never 0). Hidden cells have no upper bound other than the
equations. For each hidden cell the feasible interval [lo, hi] is computed by linear programming
(HiGHS through highspy, one warm-started model per connected component; SciPy's linprog as a fallback); a
cell whose interval is a single point is disclosed.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from threadline.engines.disclosure.crosstab import Key

Equation = tuple[str, tuple[str, ...]]  # parent = sum(children)
HIDDEN_LOWER_BOUND = 1.0
TOLERANCE = 1e-6


def canonical(by: Sequence[str], key: Key) -> str:
    """The table-independent name of a cell, e.g. ``[["ageBroad","9--17"],["gender","Female"]]``."""
    pairs = sorted([f, v] for f, v in zip(by, key, strict=True) if v is not None)
    return json.dumps(pairs, separators=(",", ":"), ensure_ascii=False)


def table_equations(by: Sequence[str], categories: Mapping[str, Sequence[str]]) -> list[Equation]:
    """Every total = sum of its children along each of its summed-over fields."""
    options = [[*categories[f], None] for f in by]
    out: list[Equation] = []
    for key in itertools.product(*options):
        for j, v in enumerate(key):
            if v is not None:
                continue
            children = tuple(canonical(by, (*key[:j], c, *key[j + 1 :])) for c in categories[by[j]])
            out.append((canonical(by, key), children))
    return out


class _System:
    def __init__(self, equations: Iterable[Equation], known: Mapping[str, int], hidden: Iterable[str]):
        self.hidden = sorted(set(hidden) - set(known))
        self.index = {c: i for i, c in enumerate(self.hidden)}
        rows: list[tuple[dict[int, float], float]] = []
        seen: set[tuple] = set()
        for parent, children in equations:
            sig = (parent, tuple(sorted(children)))
            if sig in seen:
                continue
            seen.add(sig)
            coef: dict[int, float] = {}
            rhs = 0.0
            for cell, sign in [(parent, -1.0)] + [(c, 1.0) for c in children]:
                if cell in self.index:
                    i = self.index[cell]
                    coef[i] = coef.get(i, 0.0) + sign
                elif cell in known:
                    rhs -= sign * known[cell]
                else:
                    # A cell neither published nor hidden is not part of any release: the equation
                    # says nothing the attacker can use.
                    coef = {}
                    break
            coef = {i: v for i, v in coef.items() if v != 0.0}
            if coef:
                rows.append((coef, rhs))
        self.rows = rows
        parent = list(range(len(self.hidden)))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for coef, _ in rows:
            idx = list(coef)
            for other in idx[1:]:
                ra, rb = find(idx[0]), find(other)
                if ra != rb:
                    parent[ra] = rb
        self.component = [find(i) for i in range(len(self.hidden))]

    def component_of(self, cell: str) -> list[str]:
        root = self.component[self.index[cell]]
        return [c for c, r in zip(self.hidden, self.component, strict=True) if r == root]

    def _component_problems(self, targets: Iterable[str]):
        from scipy.sparse import csr_matrix

        targets = [t for t in targets if t in self.index]
        by_comp: dict[int, list[str]] = {}
        for t in targets:
            by_comp.setdefault(self.component[self.index[t]], []).append(t)
        for root, cells in by_comp.items():
            members = [i for i, r in enumerate(self.component) if r == root]
            local = {g: j for j, g in enumerate(members)}
            comp_rows = [(c, b) for c, b in self.rows if local.keys() & c.keys()]
            if not comp_rows:
                yield cells, None, None, local
                continue
            data, ri, ci = [], [], []
            b = np.zeros(len(comp_rows))
            for r, (coef, rhs) in enumerate(comp_rows):
                b[r] = rhs
                for g, v in coef.items():
                    ri.append(r)
                    ci.append(local[g])
                    data.append(v)
            yield cells, csr_matrix((data, (ri, ci)), shape=(len(comp_rows), len(members))), b, local

    def intervals(self, targets: Iterable[str]) -> dict[str, tuple[float, float]]:
        """[min, max] of each target over the attacker's feasible set (max may be infinite)."""
        out: dict[str, tuple[float, float]] = {}
        for cells, a_eq, b, local in self._component_problems(targets):
            if a_eq is None:
                out.update(dict.fromkeys(cells, (HIDDEN_LOWER_BOUND, math.inf)))
                continue
            solver = _ComponentSolver(a_eq, b)
            for t in cells:
                out[t] = solver.interval(local[self.index[t]])
        return out

    def widths(self, targets: Iterable[str]) -> dict[str, float]:
        """max - min of each target over the attacker's feasible set (0 = disclosed, inf = unbounded)."""
        return {t: width(interval) for t, interval in self.intervals(targets).items()}


class _ComponentSolver:
    """The equations of one component as a HiGHS model, solved for one target after another.

    Only the objective changes between solves (minimise, then maximise, the target), so the optimal basis of
    the previous solve stays primal feasible and the primal simplex restarts from it: a few pivots instead
    of a fresh solve (about ten times faster than independent ``scipy.optimize.linprog`` calls on the
    dashboard set). Any status other than optimal or unbounded falls back to an independent solve.
    """

    def __init__(self, a_eq, b: np.ndarray):
        import highspy

        self._highspy = highspy
        self.a_eq, self.b = a_eq, b
        a = a_eq.tocsc()
        n = a.shape[1]
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)  # primal: warm after an objective change
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = a.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.full(n, HIDDEN_LOWER_BOUND)
        lp.col_upper_ = np.full(n, highspy.kHighsInf)
        lp.row_lower_ = np.asarray(b, dtype=float)
        lp.row_upper_ = np.asarray(b, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data
        h.passModel(lp)
        self.h = h
        self._costed: int | None = None

    def _solve(self, j: int, sign: float) -> float:
        """min of sign * x_j (so -max x_j for sign -1); inf when the maximum is unbounded."""
        status = self._highspy.HighsModelStatus
        if self._costed is not None:
            self.h.changeColCost(self._costed, 0.0)
        self.h.changeColCost(j, sign)
        self._costed = j
        self.h.run()
        model_status = self.h.getModelStatus()
        if model_status == status.kOptimal:
            return sign * self.h.getInfo().objective_function_value
        if sign < 0 and model_status in (status.kUnbounded, status.kUnboundedOrInfeasible):
            return math.inf
        return self._fallback(j, sign)

    def _fallback(self, j: int, sign: float) -> float:
        from scipy.optimize import linprog

        c = np.zeros(self.a_eq.shape[1])
        c[j] = sign
        res = linprog(c, A_eq=self.a_eq, b_eq=self.b, bounds=(HIDDEN_LOWER_BOUND, None), method="highs")
        if res.status == 3 and sign < 0:
            return math.inf
        if res.status == 0:
            return sign * res.fun
        raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")

    def interval(self, j: int) -> tuple[float, float]:
        return self._solve(j, 1.0), self._solve(j, -1.0)


def hidden_intervals(
    equations: Iterable[Equation],
    known: Mapping[str, int],
    hidden: Iterable[str],
    targets: Iterable[str] | None = None,
) -> dict[str, tuple[float, float]]:
    """The attacker's interval for each hidden cell (or only for ``targets``)."""
    system = _System(equations, known, hidden)
    return system.intervals(system.hidden if targets is None else targets)


def hidden_widths(
    equations: Iterable[Equation],
    known: Mapping[str, int],
    hidden: Iterable[str],
    targets: Iterable[str] | None = None,
) -> dict[str, float]:
    """How far the attacker's feasible values of each hidden cell spread (0 = disclosed)."""
    system = _System(equations, known, hidden)
    return system.widths(system.hidden if targets is None else targets)


def width(interval: tuple[float, float]) -> float:
    lo, hi = interval
    return math.inf if math.isinf(hi) else max(0.0, hi - lo)
