"""The attacker's view of a set of published tables: linear equations and the interval of each hidden cell.

Every published table publishes its interior cells and all of its margins, so each total equals the sum
of its children along any summed-over field. Cells are identified across tables by their *canonical key*
(the sorted ``field=value`` pairs that are not summed over), so the count of "gender=Female" in a table
by gender and the Female margin of a table by gender x age are the same unknown.

The attacker knows every published value, every equation, and that a hidden cell is at least 1 (zeros
are always published, so a hidden cell is never 0). Hidden cells have no upper bound other than the
equations. For each hidden cell the feasible interval [lo, hi] is computed by linear programming
(HiGHS through SciPy); a cell whose interval is a single point is disclosed.
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
LOCAL_CELLS = 80
LOCAL_PER_LINE = 6


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
        from scipy.optimize import linprog

        out: dict[str, tuple[float, float]] = {}
        for cells, a_eq, b, local in self._component_problems(targets):
            for t in cells:
                if a_eq is None:
                    out[t] = (HIDDEN_LOWER_BOUND, math.inf)
                    continue
                c = np.zeros(a_eq.shape[1])
                c[local[self.index[t]]] = 1.0
                ends = []
                for sign in (1.0, -1.0):
                    res = linprog(sign * c, A_eq=a_eq, b_eq=b, bounds=(HIDDEN_LOWER_BOUND, None), method="highs")
                    if res.status == 3:
                        ends.append(math.inf if sign < 0 else HIDDEN_LOWER_BOUND)
                    elif res.status == 0:
                        ends.append(sign * res.fun)
                    else:
                        raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")
                out[t] = (ends[0], ends[1])
        return out

    def widths(
        self,
        targets: Iterable[str],
        need: Mapping[str, float] | None = None,
        truth: Mapping[str, int] | None = None,
    ) -> dict[str, float]:
        """max - min of each target over the attacker's feasible set.

        Without ``need`` every width is exact (one linear program over two copies of the feasible set
        per target). With ``need`` (the required width per target) and ``truth`` (the true values of the
        hidden cells, known to the releasing organisation) a cheap local screen runs first: the target's
        neighbourhood (the largest hidden cells on its lines and the cells closing cycles through them)
        is left free and every other hidden cell is fixed at its true value. Each solution of that small
        problem is part of a solution of the whole one, so its width is a lower bound of the true width:
        a target that reaches its need there passes (sound); only the others are solved exactly.
        """
        from scipy.optimize import linprog
        from scipy.sparse import block_diag

        out: dict[str, float] = {}
        for cells, a_eq, b, local in self._component_problems(targets):
            if a_eq is None:
                out.update(dict.fromkeys(cells, math.inf))
                continue
            n = a_eq.shape[1]
            pending = list(cells)
            if need is not None and truth is not None and n > LOCAL_CELLS:
                pending = [t for t in cells if not self._local_pass(t, need.get(t, 1.0), truth, out)]
            if not pending:
                continue
            a2 = block_diag([a_eq, a_eq], format="csr")
            b2 = np.concatenate([b, b])
            for t in pending:
                c = np.zeros(2 * n)
                c[local[self.index[t]]] = -1.0
                c[n + local[self.index[t]]] = 1.0
                out[t] = _solve_width(linprog(c, A_eq=a2, b_eq=b2, bounds=(HIDDEN_LOWER_BOUND, None), method="highs"))
        return out

    def _rows_of(self) -> list[list[int]]:
        if not hasattr(self, "_rows_by_var"):
            by_var: list[list[int]] = [[] for _ in self.hidden]
            for r, (coef, _) in enumerate(self.rows):
                for i in coef:
                    by_var[i].append(r)
            self._rows_by_var = by_var
        return self._rows_by_var

    def _local_pass(self, target: str, need: float, truth: Mapping[str, int], out: dict[str, float]) -> bool:
        from scipy.optimize import linprog
        from scipy.sparse import block_diag, csr_matrix

        rows_of = self._rows_of()
        start = self.index[target]

        def value(v: int) -> float:
            return truth.get(self.hidden[v], 0)

        # Neighbourhood: the largest hidden cells on each line through the target, then every hidden
        # cell lying on two of *their* lines (closing the cycles along which values can shift).
        first: list[int] = []
        for r in rows_of[start]:
            others = sorted((u for u in self.rows[r][0] if u != start), key=value, reverse=True)
            first.extend(u for u in others[:LOCAL_PER_LINE] if u not in first)
        own = set(rows_of[start])
        second_lines = {r for u in first for r in rows_of[u] if r not in own}
        hits: dict[int, int] = {}
        for r in second_lines:
            for u in self.rows[r][0]:
                hits[u] = hits.get(u, 0) + 1
        chosen = [start, *first]
        seen = set(chosen)
        for u, h in sorted(hits.items(), key=lambda kv: (-kv[1], -value(kv[0]))):
            if h >= 2 and u not in seen and len(chosen) < LOCAL_CELLS:
                chosen.append(u)
                seen.add(u)
        pos = {v: j for j, v in enumerate(chosen)}
        touched = sorted({r for v in chosen for r in rows_of[v]})
        data, ri, ci = [], [], []
        b = np.zeros(len(touched))
        for rr, r in enumerate(touched):
            coef, rhs = self.rows[r]
            for v, a in coef.items():
                if v in pos:
                    ri.append(rr)
                    ci.append(pos[v])
                    data.append(a)
                else:
                    name = self.hidden[v]
                    if name not in truth:
                        return False
                    rhs -= a * truth[name]
            b[rr] = rhs
        n = len(chosen)
        a_eq = csr_matrix((data, (ri, ci)), shape=(len(touched), n))
        c = np.zeros(2 * n)
        c[0], c[n] = -1.0, 1.0
        res = linprog(
            c,
            A_eq=block_diag([a_eq, a_eq], format="csr"),
            b_eq=np.concatenate([b, b]),
            bounds=(HIDDEN_LOWER_BOUND, None),
            method="highs",
        )
        if res.status not in (0, 3):
            return False
        w = _solve_width(res)
        if w >= need - TOLERANCE:
            out[target] = w
            return True
        return False


def _solve_width(res) -> float:
    if res.status == 3:
        return math.inf
    if res.status == 0:
        return max(0.0, -res.fun)
    raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")


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
    return math.inf if math.isinf(hi) else hi - lo
