"""Seeded synthetic case records (never real people) and an independent attacker for the audit tests."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pytest

from threadline.engines.disclosure import TOTAL, ProtectedTable, to_rows

GENDERS = ["Female"] * 6 + ["Male"] * 3 + ["Transgender/NonConforming"]
AGES = ["0--8", "9--17", "9--17", "18--20", "21--23", "30--38", "48+", "-99"]
YEARS = [2019, 2020, 2021, 2022, 2023]
COUNTRIES = ["UA", "PH", "NG", "RO", "VN", None]


def make_records(n: int, seed: int = 0, *, with_cluster: bool = False) -> pa.Table:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        age = rnd.choice(AGES)
        rows.append(
            {
                "yearOfRegistration": rnd.choice(YEARS),
                "gender": rnd.choice(GENDERS),
                "ageBroad": age,
                "majorityStatus": "Minor" if age in ("0--8", "9--17") else ("Unknown" if age == "-99" else "Adult"),
                "citizenship": rnd.choice(COUNTRIES),
                "CountryOfExploitation": rnd.choice(COUNTRIES[:4]),
                "isSexualExploit": rnd.choice([0, 1, 1, -99]),
                "isForcedLabour": rnd.choice([0, 1, -99]),
                "meansOfControlThreats": rnd.choice([0, 1]),
                "recruiterRelationFamily": rnd.choice([0, 0, 1]),
                **({"cluster_id": f"p{i // 2}"} if with_cluster else {}),
            }
        )
    return pa.Table.from_pylist(rows)


@pytest.fixture(autouse=True)
def _encryption_keys():
    """Overrides the root autouse fixture: these tests need no keys, no settings and no Django, so they also
    run with ``-p no:django``."""
    yield


@pytest.fixture
def records() -> pa.Table:
    return make_records(400, seed=7)


def attacker_intervals(tables: Sequence[ProtectedTable]) -> dict[tuple, tuple[float, float]]:
    """What an attacker learns from the *published CSV rows* of ``tables``, written independently of the
    engine's audit: unknowns are suppressed figures (>= 1, zeros are published), equations are
    total = sum of children along each "Total" position; min and max of every unknown by linear
    programming. Keys are frozensets of (field, value) pairs without totals.
    """
    from scipy.optimize import linprog

    known: dict[frozenset, int] = {}
    hidden: set[frozenset] = set()
    equations: list[tuple[frozenset, list[frozenset]]] = []
    for t in tables:
        rows = to_rows(t)
        for row in rows:
            key = frozenset((f, row[f]) for f in t.by if row[f] != TOTAL)
            if row["count"] is None:
                hidden.add(key)
            else:
                known[key] = row["count"]
        for row in rows:
            for f in t.by:
                if row[f] != TOTAL:
                    continue
                parent = frozenset((g, row[g]) for g in t.by if row[g] != TOTAL)
                children = [parent | {(f, c)} for c in t.categories[f]]
                equations.append((parent, children))
    hidden -= known.keys()
    unknown = sorted(hidden, key=lambda s: sorted(s))
    index = {u: i for i, u in enumerate(unknown)}
    a_rows, b = [], []
    for parent, children in equations:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for cell, sign in [(parent, -1.0)] + [(c, 1.0) for c in children]:
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * known[cell]
        if np.any(row):
            a_rows.append(row)
            b.append(rhs)
    out = {}
    for u in unknown:
        if not a_rows:
            out[u] = (1.0, math.inf)
            continue
        c = np.zeros(len(unknown))
        c[index[u]] = 1.0
        lo = linprog(c, A_eq=np.array(a_rows), b_eq=np.array(b), bounds=(1, None), method="highs")
        hi = linprog(-c, A_eq=np.array(a_rows), b_eq=np.array(b), bounds=(1, None), method="highs")
        assert lo.status == 0, lo.message
        out[u] = (lo.fun, math.inf if hi.status == 3 else -hi.fun)
    return out
