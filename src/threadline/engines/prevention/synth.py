"""Seeded synthetic questionnaire responses: bland, invented, never real pupils.

Each simulated respondent belongs to a school, has a sex and an age band, and answers before and after the
programme with a modest, realistic improvement (about 0.3 standard deviations on agreement items, a few points
of correct answers on knowledge items). Some respondents give an anonymous pairing code (a few mistype it
afterwards, and codes can collide within a school as real self-generated codes do), some answers are left
blank, and a small share of rows carry an invalid value, so that the checks have something to report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .definitions import Questionnaire
from .responses import PHASES, SEXES

_CODE_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))


def _strings(indices: np.ndarray, values: list[str], null: np.ndarray | None = None) -> pa.Array:
    dictionary = pa.array(values, pa.string())
    arr = pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32), mask=null), dictionary)
    return arr.cast(pa.string())


def generate_responses(
    questionnaire: Questionnaire,
    n: int,
    *,
    schools: int = 20,
    seed: int = 0,
    effect: float = 0.3,
    code_share: float = 0.4,
    missing_share: float = 0.03,
    invalid_share: float = 0.002,
) -> pa.Table:
    """``n`` response rows (pre and post) for ``questionnaire`` as an Arrow table of strings."""
    rng = np.random.default_rng(seed)
    pupils = (n + 1) // 2
    school = rng.integers(0, max(schools, 1), pupils)
    sex = rng.choice(len(SEXES), pupils, p=[0.48, 0.48, 0.01, 0.03])
    bands = list(questionnaire.age_bands)
    band = rng.integers(0, len(bands), pupils)
    band_null = rng.random(pupils) < 0.02
    code_chars = rng.integers(0, len(_CODE_ALPHABET), (pupils, 4))
    codes = np.array(["".join(c) for c in _CODE_ALPHABET[code_chars]]) if pupils else np.array([], dtype=str)
    gives_code = rng.random(pupils) < code_share
    attitude = rng.normal(0.0, 1.0, pupils)
    knowing = rng.normal(0.0, 1.0, pupils)

    # rows: every pupil's pre then post answer, shuffled, cut to n
    pupil = np.repeat(np.arange(pupils), 2)
    phase = np.tile(np.array([0, 1]), pupils)
    order = rng.permutation(pupil.size)[:n]
    pupil, phase = pupil[order], phase[order]
    m = pupil.size
    code_idx, code_values = np.unique(codes[pupil], return_inverse=True)[1], np.unique(codes[pupil])
    mistyped = (phase == 1) & (rng.random(m) < 0.05)
    code_null = ~gives_code[pupil] | mistyped
    columns: dict[str, pa.Array] = {
        "instrument": pa.array(np.full(m, questionnaire.id)),
        "phase": _strings(phase, list(PHASES)),
        "code": _strings(code_idx, list(code_values), code_null),
        "school": _strings(school[pupil], [f"school-{i:04d}" for i in range(max(schools, 1))]),
        "sex": _strings(sex[pupil], list(SEXES)),
        "age_band": _strings(band[pupil], bands, band_null[pupil]),
    }
    for item in questionnaire.items:
        blank = rng.random(m) < missing_share
        if item.kind == "agreement":
            levels = np.asarray(item.options)
            latent = 0.9 * (attitude[pupil] + effect * phase) + rng.normal(0.0, 0.8, m)
            pos = np.clip(np.rint(latent + (len(levels) - 1) / 2), 0, len(levels) - 1).astype(int)
            if item.reverse:
                pos = len(levels) - 1 - pos
            columns[item.id] = _strings(pos, [str(v) for v in levels], blank)
        else:
            options = [str(v) for v in item.options]
            right = options.index(str(item.correct))
            p = 1.0 / (1.0 + np.exp(-(0.4 + 0.8 * knowing[pupil] + 2.5 * effect * phase)))
            correct = rng.random(m) < p
            wrong = rng.integers(0, len(options) - 1, m)
            wrong = np.where(wrong >= right, wrong + 1, wrong)
            columns[item.id] = _strings(np.where(correct, right, wrong), options, blank)
    table = pa.table(columns)
    return _spoil(table, rng, invalid_share, questionnaire)


def _spoil(table: pa.Table, rng: np.random.Generator, share: float, q: Questionnaire) -> pa.Table:
    """Put one invalid value in a small share of rows (a mistyped phase, sex, age band or answer)."""
    m = table.num_rows
    rows = np.flatnonzero(rng.random(m) < share)
    if rows.size == 0:
        return table
    targets = {"phase": "during", "sex": "unknown-value", "age_band": "99-100"}
    if q.items:
        targets[q.items[0].id] = "7" if q.items[0].kind == "agreement" else "maybe"
    names = list(targets)
    which = rng.integers(0, len(names), rows.size)
    for j, name in enumerate(names):
        col = table.column(name).to_pylist()
        for r in rows[which == j]:
            col[r] = targets[name]
        table = table.set_column(table.column_names.index(name), name, pa.array(col, pa.string()))
    return table


def write_responses(table: pa.Table, path: str | Path) -> Path:
    """Write generated responses as CSV (or Parquet when the name ends in .parquet)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".parquet":
        pq.write_table(table, tmp)
    else:
        pacsv.write_csv(table, tmp)
    tmp.replace(path)
    return path
