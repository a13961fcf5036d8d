"""Reading a responses table (CSV or Arrow/Parquet) for one questionnaire, with row-level checks.

Columns: ``instrument``, ``phase`` (pre/post), ``code`` (optional self-generated anonymous pairing code),
``school``, ``sex``, ``age_band`` and one column per item id. Every bad row is reported with the file, its
line and the field at fault, and left out; the other rows are analysed. Checks are vectorised (pyarrow
compute), so a million rows take about a second.
"""

from __future__ import annotations

import csv
import io
import re
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
_DICT = pa.dictionary(pa.int32(), pa.string())
_PARQUET = (".parquet", ".pq")
_ARROW = (".arrow", ".feather", ".ipc")


class ResponsesError(ValueError):
    """The table as a whole cannot be analysed (unreadable, a required column missing)."""


@dataclass(frozen=True)
class RowProblem:
    source: str
    line: int | None
    field: str
    message: str
    unit: str = "line"  # "row" (1-based) in Parquet and Arrow files, which have no lines

    def __str__(self) -> str:
        where = f"{self.unit} {self.line}" if self.line is not None else "row"
        return f"{self.source}: {where}: {self.field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            self.unit: self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Responses:
    """The valid rows of one questionnaire, as arrays (one entry per row)."""

    questionnaire: Questionnaire
    phase: np.ndarray  # int8: 0 pre, 1 post, -1 row left out
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
        """Rows kept for the analysis."""
        return int((self.phase >= 0).sum())


def _read_table(path: Path, source: str) -> tuple[pa.Table, list[RowProblem], np.ndarray | None]:
    """The table (dictionary-encoded strings), the problems of malformed CSV records and, for CSV files whose
    records are not one per line, the line number of every kept record (else None: record i is on line i + 2)."""
    if path.suffix.lower() in _PARQUET:
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise ResponsesError(f"{source}: cannot read the Parquet file ({exc})") from None
        return _as_dictionaries(table), [], None
    if path.suffix.lower() in _ARROW:
        import pyarrow.feather as feather

        try:
            table = feather.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise ResponsesError(f"{source}: cannot read the Arrow file ({exc})") from None
        return _as_dictionaries(table), [], None
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
                column_types=dict.fromkeys(names, _DICT), strings_can_be_null=True, null_values=[""]
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
    if path.suffix.lower() not in (*_PARQUET, *_ARROW):
        return check_table(table, questionnaire, source, problems=problems, line_of=line_of)
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return check_table(table, questionnaire, source, problems=problems, line_of=rows, unit="row")


def _as_dictionaries(table: pa.Table) -> pa.Table:
    """Every column as dictionary-encoded strings (Parquet and Arrow files may hold other types)."""
    table = table.cast(pa.schema([(f.name, pa.string()) for f in table.schema]))
    return pa.table({name: pc.dictionary_encode(table.column(name)) for name in table.column_names})


def _encoded(table: pa.Table, name: str) -> tuple[np.ndarray, pa.Array]:
    """A column as (index into its dictionary per row, -1 when empty; the dictionary). All checks work on the
    few distinct values of the dictionary and reach the rows by indexing, never string by string."""
    if name not in table.column_names:
        return np.full(table.num_rows, -1, dtype=np.int64), pa.array([], pa.string())
    column = table.column(name)
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    chunks = column.unify_dictionaries().chunks  # one dictionary for all chunks, so indices are comparable
    dictionary = chunks[0].dictionary if chunks else pa.array([], pa.string())
    if chunks:
        indices = np.concatenate(
            [np.asarray(pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64) for c in chunks]
        )
    else:
        indices = np.zeros(0, dtype=np.int64)
    return indices, dictionary


def _lookup(table: pa.Table, name: str, code_of, empty: int) -> np.ndarray:
    """Per row: ``code_of(value)`` of its stripped value (``empty`` for an empty cell; -1 means invalid)."""
    indices, dictionary = _encoded(table, name)
    mapping = [code_of(v.strip()) if v is not None and v.strip() else empty for v in dictionary.to_pylist()]
    return np.asarray([*mapping, empty], dtype=np.int64)[indices]


def _choice(allowed: tuple[str, ...], *, fold_case: bool = False):
    index = {(a.lower() if fold_case else a): i for i, a in enumerate(allowed)}
    return lambda v: index.get(v.lower() if fold_case else v, -1)


def check_table(
    table: pa.Table,
    questionnaire: Questionnaire,
    source: str,
    *,
    problems: list[RowProblem] | None = None,
    line_of: np.ndarray | None = None,
    unit: str = "line",
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
            problems.append(RowProblem(source, int(lines[r]), field_name, message, unit))
        bad[rows] = True

    instrument = _lookup(table, "instrument", lambda v: 1 if v == questionnaire.id else 0, -1)
    report(instrument < 0, "instrument", "is empty")
    other = instrument == 0
    bad |= other  # rows of another questionnaire: left out, counted, not a problem

    phase = _lookup(table, "phase", _choice(PHASES, fold_case=True), -1)
    report(phase < 0, "phase", "must be 'pre' or 'post'")
    school_names: dict[str, int] = {}
    school = _lookup(table, "school", lambda v: school_names.setdefault(v, len(school_names)), -1)
    report(school < 0, "school", "is empty")
    sex = _lookup(table, "sex", _choice(SEXES, fold_case=True), SEXES.index("not_stated"))
    report(sex < 0, "sex", f"must be one of {', '.join(SEXES)} or empty")
    bands = (*questionnaire.age_bands, UNKNOWN_BAND)
    band = _lookup(table, "age_band", _choice(bands), len(bands) - 1)
    report(band < 0, "age_band", f"must be one of {', '.join(questionnaire.age_bands)} or empty")
    codes_seen: dict[str, int] = {}
    pattern = re.compile(CODE_PATTERN)
    code = _lookup(table, "code", lambda v: codes_seen.setdefault(v, len(codes_seen)) if pattern.match(v) else -2, -1)
    report(code == -2, "code", "must be 2-24 letters, digits or hyphens (never a name)")

    scores: dict[str, np.ndarray] = {}
    for item in questionnaire.items:
        allowed = ", ".join(str(v) for v in item.options)
        if item.kind == "agreement":
            values = [float(v) for v in item.options]
            if item.reverse:
                values = [item.low + item.high - v for v in values]
            idx = _lookup(table, item.id, _choice(tuple(str(v) for v in item.options)), -2)
            score = np.asarray([*values, np.nan, np.nan])[idx]  # -2 (empty) and -1 (invalid) are NaN
        else:
            options = tuple(str(v) for v in item.options)
            idx = _lookup(table, item.id, _choice(options, fold_case=True), -2)
            right = [o.lower() for o in options].index(str(item.correct).lower())
            score = np.asarray([*(float(i == right) for i in range(len(options))), np.nan, np.nan])[idx]
        report(idx == -1, item.id, f"must be one of {allowed} or empty")
        scores[item.id] = score

    keep = ~bad
    pair = np.full(n, -1, dtype=np.int64)
    coded = np.flatnonzero((code >= 0) & keep)
    if coded.size:
        combined = school[coded] * max(len(codes_seen), 1) + code[coded]
        pair[coded] = np.unique(combined, return_inverse=True)[1]
    # Rows left out stay in the arrays (no copies of a million rows) with phase -1: no analysis selects them.
    phase[bad] = -1
    sex[bad] = 0
    band[bad] = 0
    school[bad] = np.maximum(school[bad], 0)
    return Responses(
        questionnaire=questionnaire,
        phase=phase.astype(np.int8),
        school=school.astype(np.int32),
        schools=list(school_names),
        sex=sex.astype(np.int8),
        age_band=band.astype(np.int8),
        age_bands=bands,
        pair_key=pair,
        scores=scores,
        rows_read=n + sum(1 for p in problems if p.field == "(row)"),
        other_instrument=int(other.sum()),
        problems=problems,
        problem_counts=counts,
    )
