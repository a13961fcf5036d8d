"""FEBRL-like test data: two files of the same invented people, the second one corrupted as FEBRL corrupts.

Per record of the second file: typos (substituted, dropped, inserted or transposed letters) in each name,
given and family names swapped, a given name cut to its initial, a name replaced by another or left out, the date
of birth with day and month transposed, one digit changed, replaced by another date or left out. Names come from
the synthetic generator's invented syllables; nothing here is a real person.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from threadline.engines.insights.synthetic import make_name_pools

LETTERS = "abdeghiklmnorstuvy"


def typo(rng: random.Random, name: str) -> str:
    if len(name) < 3:
        return name
    i = rng.randrange(1, len(name) - 1)
    op = rng.randrange(4)
    if op == 0:
        return name[:i] + rng.choice(LETTERS) + name[i + 1 :]
    if op == 1:
        return name[:i] + name[i + 1 :]
    if op == 2:
        return name[:i] + rng.choice(LETTERS) + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def corrupt_date(rng: random.Random, d: dt.date) -> dt.date | None:
    r = rng.random()
    if r < 0.35 and d.day <= 12 and d.day != d.month:
        return d.replace(day=d.month, month=d.day)  # day and month transposed
    if r < 0.7:  # one digit of the day or of the year changed
        if rng.random() < 0.5:
            day = (d.day // 10) * 10 + rng.randrange(10)
            try:
                return d.replace(day=day) if day != d.day else d.replace(day=(d.day % 28) + 1)
            except ValueError:
                return d.replace(day=(d.day % 28) + 1)
        return d.replace(year=d.year - d.year % 10 + (d.year % 10 + rng.randrange(1, 10)) % 10)
    return d + dt.timedelta(days=rng.randrange(-4000, 4000))  # another date altogether


def write_febrl_like(out: Path, people: int = 1500, seed: int = 4) -> tuple[list[Path], Path]:
    """``a.csv`` and ``b.csv`` (case_id, given_name, family_name, date_of_birth) and ``truth.csv``."""
    rng = random.Random(seed)
    female, male, family = make_name_pools(seed, given=400, family=2500)
    out.mkdir(parents=True, exist_ok=True)
    truth = [("record_id", "person_id")]
    rows: dict[str, list[list[str]]] = {"a": [], "b": []}
    for person in range(people):
        given = rng.choice(female if rng.random() < 0.6 else male).lower()
        fam = rng.choice(family).lower()
        dob = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        rows["a"].append([f"p{person}", given, fam, dob.isoformat()])
        g2, f2, d2 = given, fam, dob
        if rng.random() < 0.25:
            g2 = typo(rng, g2)
        if rng.random() < 0.25:
            f2 = typo(rng, f2)
        if rng.random() < 0.05:
            g2, f2 = f2, g2
        if rng.random() < 0.04:
            g2 = g2[0]
        if rng.random() < 0.03:
            f2 = rng.choice(family).lower()
        g2 = "" if rng.random() < 0.03 else g2
        f2 = "" if rng.random() < 0.02 else f2
        if rng.random() < 0.12:
            d2 = corrupt_date(rng, d2)
        date2 = "" if d2 is None or rng.random() < 0.05 else d2.isoformat()
        rows["b"].append([f"p{person}", g2, f2, date2])
        truth += [(f"a:p{person}", str(person)), (f"b:p{person}", str(person))]
    files = []
    for name, data in rows.items():
        path = out / f"{name}.csv"
        with path.open("w", newline="") as f:
            csv.writer(f).writerows([["case_id", "given_name", "family_name", "date_of_birth"], *data])
        files.append(path)
    with (out / "truth.csv").open("w", newline="") as f:
        csv.writer(f).writerows(truth)
    return files, out / "truth.csv"
