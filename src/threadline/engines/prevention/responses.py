"""Reading a responses table (CSV or Arrow/Parquet) for one questionnaire, with row-level checks.

Columns: ``instrument``, ``phase`` (pre/post), ``code`` (optional self-generated anonymous pairing code),
``school``, ``sex``, ``age_band`` and one column per item id. Every bad row is reported with the file, its
line and the field at fault, and left out; the other rows are analysed. Checks are vectorised (pyarrow
compute), so a million rows take about a second.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .definitions import Questionnaire

BASE_COLUMNS = ("instrument", "phase", "code", "school", "sex", "age_band")
REQUIRED_COLUMNS = ("instrument", "phase", "school")
PHASES = ("pre", "post")
SEXES = ("female", "male", "other", "not_stated")
UNKNOWN_BAND = "unknown"
CODE_PATTERN = r"^[A-Za-z0-9-]{2,24}$"
#: Problems kept in detail; beyond this only the counts per field are kept.
MAX_DETAILED_PROBLEMS = 1000


class ResponsesError(ValueError):
    """The table as a whole cannot be analysed (unreadable, a required column missing)."""


@dataclass(frozen=True)
class RowProblem:
    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "row"
        return f"{self.source}: {where}: {self.field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "field": self.field, "message": self.message}


@dataclass
class Responses:
    """The valid rows of one questionnaire, as arrays (one entry per row)."""

    questionnaire: Questionnaire
    phase: np.ndarray  # int8: 0 pre, 1 post
    school: np.ndarray  # int32 codes into ``schools``
    schools: list[str]
    sex: np.ndarray  # int8 codes into SEXES
    age_band: np.ndarray  # int8 codes into ``age_bands``
    age_bands: tuple[str, ...]
    pair_key: np.ndarray  # int64, -1 without a code
    scores: dict[str, np.ndarray]  # item id -> float64 score, NaN when not answered
    rows_read: int = 0
    other_instrument: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_counts: Counter[str] = field(default_factory=Counter)

    @property
    def n(self) -> int:
        return int(self.phase.shape[0])


def _read_table(path: Path, source: str) -> tuple[pa.Table, list[RowProblem], np.ndarray | None]:
    """The table as strings, the problems of malformed CSV records and, for CSV files whose records are not
    one per line, the line number of every kept record (else None: record i is on line i + 2)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise ResponsesError(f"{source}: cannot read the Parquet file ({exc})") from None
        return table.cast(pa.schema([(f.name, pa.string()) for f in table.schema])), [], None
    if path.suffix.lower() in (".arrow", ".feather", ".ipc"):
        import pyarrow.feather as feather

        try:
            table = feather.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise ResponsesError(f"{source}: cannot read the Arrow file ({exc})") from None
        return table.cast(pa.schema([(f.name, pa.string()) for f in table.schema])), [], None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ResponsesError(f"{source}: cannot read the file ({exc.strerror or exc})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip("\r")
    names = next(csv.reader([header]), [])
    if not names or not any(names):
        raise ResponsesError(f"{source}: line 1: the header row is empty")
    skipped: list[int] = []
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: skipped.append(1) or "skip"),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True, null_values=[""]
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ResponsesError(f"{source}: not a readable UTF-8 CSV file ({str(exc).splitlines()[0]})") from None
    records = table.num_rows
    newlines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
    if not skipped and newlines == records:
        return table, [], None
    # Slow path (rare): records spanning lines, blank lines or malformed records. Python's csv module
    # gives the line of every record; records with the wrong number of fields are reported and skipped.
    problems: list[RowProblem] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(data.decode("utf-8", "replace")))
    next(reader, None)
    start = 2
    for record in reader:
        if record and len(record) != len(names):
            problems.append(
                RowProblem(source, start, "(row)", f"has {len(record)} fields where the header has {len(names)}")
            )
        elif record and any(record):
            lines.append(start)
        start = reader.line_num + 1
    if len(lines) != records:  # the two parsers disagree: do not guess line numbers
        return table, problems, None
    return table, problems, np.asarray(lines, dtype=np.int64)


def read_responses(path: str | Path, questionnaire: Questionnaire, *, source_name: str | None = None) -> Responses:
    """Read and check a responses table for ``questionnaire``; rows of other instruments are counted and
    left out, bad rows are reported in ``problems`` and left out."""
    path = Path(path)
    source = source_name or str(path)
    table, problems, line_of = _read_table(path, source)
    missing = [c for c in (*REQUIRED_COLUMNS, *(i.id for i in questionnaire.items)) if c not in table.column_names]
    if missing:
        raise ResponsesError(f"{source}: line 1: missing column(s) {', '.join(missing)}")
    return check_table(table, questionnaire, source, problems=problems, line_of=line_of)


def _col(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return pc.utf8_trim_whitespace(table.column(name))
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def _codes(values: pa.ChunkedArray, allowed: tuple[str, ...]) -> np.ndarray:
    """Index of each value in ``allowed`` (-1 when missing or not allowed)."""
    idx = pc.index_in(values, value_set=pa.array(allowed, pa.string()))
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def check_table(
    table: pa.Table,
    questionnaire: Questionnaire,
    source: str,
    *,
    problems: list[RowProblem] | None = None,
    line_of: np.ndarray | None = None,
) -> Responses:
    """Check an Arrow table of strings (see :func:`read_responses`)."""
    problems = list(problems or [])
    counts: Counter[str] = Counter(p.field for p in problems)
    n = table.num_rows
    bad = np.zeros(n, dtype=bool)
    lines = line_of if line_of is not None else np.arange(2, n + 2, dtype=np.int64)

    def report(mask: np.ndarray, field_name: str, message: str) -> None:
        rows = np.flatnonzero(mask & ~bad)
        if rows.size == 0:
            return
        counts[field_name] += int(rows.size)
        room = MAX_DETAILED_PROBLEMS - len(problems)
        for r in rows[: max(room, 0)]:
            problems.append(RowProblem(source, int(lines[r]), field_name, message))
        bad[rows] = True

    instrument = _col(table, "instrument")
    ours = np.asarray(pc.fill_null(pc.equal(instrument, questionnaire.id), False).to_numpy(zero_copy_only=False))
    missing_instrument = np.asarray(pc.is_null(instrument).to_numpy(zero_copy_only=False))
    report(missing_instrument, "instrument", "is empty")
    other = ~ours & ~missing_instrument
    bad |= other  # rows of another questionnaire: left out, counted, not a problem

    phase = _codes(pc.utf8_lower(_col(table, "phase")), PHASES)
    report(phase < 0, "phase", "must be 'pre' or 'post'")
    school_col = _col(table, "school")
    report(np.asarray(pc.is_null(school_col).to_numpy(zero_copy_only=False)), "school", "is empty")
    sex_col = pc.fill_null(pc.utf8_lower(_col(table, "sex")), "not_stated")
    sex = _codes(sex_col, SEXES)
    report(sex < 0, "sex", f"must be one of {', '.join(SEXES)} or empty")
    bands = (*questionnaire.age_bands, UNKNOWN_BAND)
    band = _codes(pc.fill_null(_col(table, "age_band"), UNKNOWN_BAND), bands)
    report(band < 0, "age_band", f"must be one of {', '.join(questionnaire.age_bands)} or empty")
    code_col = _col(table, "code")
    has_code = np.asarray(pc.is_valid(code_col).to_numpy(zero_copy_only=False))
    code_ok = np.asarray(
        pc.fill_null(pc.match_substring_regex(code_col, CODE_PATTERN), True).to_numpy(zero_copy_only=False)
    )
    report(~code_ok, "code", "must be 2-24 letters, digits or hyphens (never a name)")

    scores: dict[str, np.ndarray] = {}
    for item in questionnaire.items:
        col = _col(table, item.id)
        present = np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False))
        if item.kind == "agreement":
            idx = _codes(col, tuple(str(v) for v in item.options))
            values = np.asarray(item.options, dtype=np.float64)
            score = np.where(idx >= 0, values[np.maximum(idx, 0)], np.nan)
            if item.reverse:
                score = item.low + item.high - score
            allowed = ", ".join(str(v) for v in item.options)
        else:
            idx = _codes(pc.utf8_lower(col), tuple(str(v).lower() for v in item.options))
            correct = [str(v).lower() for v in item.options].index(str(item.correct).lower())
            score = np.where(idx >= 0, (idx == correct).astype(np.float64), np.nan)
            allowed = ", ".join(str(v) for v in item.options)
        report(present & (idx < 0), item.id, f"must be one of {allowed} or empty")
        scores[item.id] = score

    keep = ~bad
    school_dict = pc.dictionary_encode(pc.fill_null(school_col, "")).combine_chunks()
    school_codes = np.asarray(school_dict.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    pair = np.full(n, -1, dtype=np.int64)
    if has_code.any():
        joined = pc.binary_join_element_wise(pc.fill_null(school_col, ""), pc.fill_null(code_col, ""), "\x1f")
        key_codes = pc.dictionary_encode(joined).combine_chunks().indices.to_numpy(zero_copy_only=False)
        pair = np.where(has_code, np.asarray(key_codes, dtype=np.int64), -1)
    return Responses(
        questionnaire=questionnaire,
        phase=phase[keep].astype(np.int8),
        school=school_codes[keep].astype(np.int32),
        schools=school_dict.dictionary.to_pylist(),
        sex=sex[keep].astype(np.int8),
        age_band=band[keep].astype(np.int8),
        age_bands=bands,
        pair_key=pair[keep],
        scores={k: v[keep] for k, v in scores.items()},
        rows_read=n + sum(1 for p in problems if p.field == "(row)"),
        other_instrument=int(other.sum()),
        problems=problems,
        problem_counts=counts,
    )
