"""Importers for the published formats: the CTDC global dataset (2020 edition, 63 columns), the CTDC synthetic
dataset (2024 codebook, 27 columns) and HTCDS 2.0 (CSV or the official Excel template), plus our aliases.

Every import reads the whole file in one pure step (streaming, in batches), writing the converted rows to a
temporary Parquet file that is renamed into the store at the end: all kept rows or nothing. By default an
unreadable value is set to missing (or kept as ``Other``) and reported, and an unreadable row is
quarantined; ``strict=True`` stores nothing on any problem. Raw identifiers (``given_name``,
``family_name``, ``date_of_birth``) are accepted only in HTCDS files and only with a linkage key: they are
encoded on arrival and never written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from threadline.engines.insights.importers.base import (
    COLUMN_IGNORED,
    KEPT_AS_OTHER,
    QUARANTINED,
    REASONS,
    REFUSED,
    SET_MISSING,
    VALUE_MAX,
    Converter,
    Issue,
    Reader,
    Reject,
    ValidationReport,
    clean,
    country_converter,
    flag_converter,
    hex_converter,
    invalid_rows,
    text_converter,
    unnamed_column,
    vocabulary_converter,
    year_converter,
)
from threadline.engines.insights.importers.vocabulary import (
    LIST_GROUPS,
    htcds_by_label,
    htcds_fields,
    list_flags,
    list_items,
    list_other,
    load,
    normal,
    other_value,
)
from threadline.engines.insights.schema import (
    CANONICAL_SCHEMA,
    COUNTRY_COLUMNS,
    CTDC_COLUMNS,
    CTDC_SYNTHETIC_COLUMNS,
    DATA_COLUMNS,
    ENCODING_COLUMNS,
    ENUM_COLUMNS,
    FLAG_COLUMNS,
    IDENTIFIER_COLUMNS,
)
from threadline.engines.insights.store import Store, as_store, refresh_catalogue

__all__ = [
    "FORMATS",
    "SPECIAL_TARGETS",
    "ImportError_",
    "ImportReport",
    "Issue",
    "ValidationReport",
    "import_file",
    "validate_file",
]

FORMATS = ("ctdc", "ctdc-synthetic", "htcds")

#: Our own snake_case names, understood without an explicit mapping (conveniences beside the HTCDS names).
HTCDS_ALIASES: dict[str, str] = {
    "year_of_registration": "yearOfRegistration",
    "registration_year": "yearOfRegistration",
    "data_source": "Datasource",
    "sex": "gender",
    "age_broad": "ageBroad",
    "age_group": "ageBroad",
    "majority_status": "majorityStatus",
    "majority_status_at_exploitation": "majorityStatusAtExploit",
    "majority_entry": "majorityEntry",
    "nationality": "citizenship",
    "country_of_exploitation": "CountryOfExploitation",
    "trafficking_duration": "traffickMonths",
    "recruiter_relationship": "RecruiterRelationship",
    "screening_method": "screeningMethod",
    "abduction": "isAbduction",
    "forced_criminality": "isForcedCriminality",
    "type_of_exploitation": "type_of_exploitation",
    "means_of_control": "means_of_control",
    "type_of_labour": "type_of_labour",
    "type_of_sex": "type_of_sex",
    "case_id": "case_id",
    "first_name": "given_name",
    "forename": "given_name",
    "surname": "family_name",
    "last_name": "family_name",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
}
#: Targets of a column mapping besides the canonical columns: the case id, raw identifiers (encoded on
#: arrival, never stored) and the multi-valued picklists.
SPECIAL_TARGETS = ["case_id", *LIST_GROUPS, *IDENTIFIER_COLUMNS]
_SPECIAL_TARGETS = set(SPECIAL_TARGETS)
#: Columns whose values are never quoted in a report (they identify a person or a case).
_PRIVATE_TARGETS = {"case_id", *IDENTIFIER_COLUMNS, *ENCODING_COLUMNS}
_ID_TARGETS = {"case_id", *IDENTIFIER_COLUMNS, "enc_given", "enc_family", "enc_dob"}
_SOURCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ImportError_(ValueError):
    """Raised for unusable arguments (unknown format, bad source name), not for bad data."""


@dataclass
class ImportReport:
    file: str
    format: str
    source: str
    stored: bool
    rows: int
    batch_id: str | None = None
    parquet: str | None = None
    validation: ValidationReport | None = None
    encoded_rows: int = 0
    rejects_file: str | None = None

    @property
    def stored_rows(self) -> int:
        return self.validation.stored_rows if self.stored and self.validation else 0

    @property
    def quarantined(self) -> int:
        return self.validation.quarantined if self.validation else 0

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "source": self.source,
            "stored": self.stored,
            "rows": self.rows,
            "stored_rows": self.stored_rows,
            "quarantined": self.quarantined,
            "batch_id": self.batch_id,
            "parquet": self.parquet,
            "rejects_file": self.rejects_file,
            "encoded_rows": self.encoded_rows,
            "validation": self.validation.to_dict() if self.validation else None,
        }


# --- column plans ----------------------------------------------------------------------------------------
@dataclass
class ColumnPlan:
    source: str  # column name in the file
    target: str  # canonical column, a special target, or "" for ignored
    convert: Converter | None = None
    reason: str = ""


@dataclass
class Plan:
    columns: list[ColumnPlan] = field(default_factory=list)
    special: dict[str, str] = field(default_factory=dict)  # special target -> source column


def _converter_for(target: str) -> tuple[Converter, str]:
    if target in FLAG_COLUMNS:
        return flag_converter(), REASONS["flag"]
    if target == "yearOfRegistration":
        return year_converter(), REASONS["year"]
    if target in COUNTRY_COLUMNS:
        return country_converter(), REASONS["country"]
    if target in ENUM_COLUMNS:
        allowed = ENUM_COLUMNS[target]
        reason = "not in the vocabulary; expected one of " + ", ".join(allowed) + " (or -99/Unknown)"
        return vocabulary_converter(target), reason
    if target == "enc_key_id":
        return hex_converter(16), REASONS["hex"]
    if target.startswith("bf_"):
        return hex_converter(64), REASONS["hex"]
    if target.startswith("enc_"):
        return hex_converter(32), REASONS["hex"]
    return text_converter(), REASONS["text"]


def _header_problem(strict: bool) -> str:
    """A column nobody can read: refused in a strict import, otherwise ignored (and reported)."""
    return REFUSED if strict else COLUMN_IGNORED


def _ctdc_name(cell: str, known: dict[str, str]) -> tuple[str | None, bool]:
    """(column name, is the terms-of-use cell) of a CTDC header cell. The 2020 global file's first cell is a
    terms-of-use sentence, with ``yearOfRegistration`` at its end."""
    if cell.lower() in known:
        return known[cell.lower()], False
    prefixes = [normal(p) for p in load("ctdc-2020")["terms_of_use_prefixes"]]
    if any(normal(cell).startswith(p) for p in prefixes):
        tail = re.search(r"([A-Za-z]+)\W*$", cell)
        name = known.get(tail.group(1).lower()) if tail else None
        return name, True
    return None, False


def _ctdc_targets(fmt: str, header: list[str], report: ValidationReport) -> dict[str, str | None]:
    name = Path(report.file).name
    expected = CTDC_COLUMNS if fmt == "ctdc" else CTDC_SYNTHETIC_COLUMNS
    known = {c.lower(): c for c in expected}
    targets: dict[str, str | None] = {}
    for col in header:
        column, terms = _ctdc_name(col, known)
        if column is not None:
            targets[col] = None if column.endswith("Concatenated") else column
        elif terms or col == unnamed_column(0):
            targets[col] = None  # the terms-of-use cell on its own, or a row-number column
        elif not col.startswith("(column "):
            report.issues.append(
                Issue(name, 1, col, f"not a column of the {fmt} format", _header_problem(report.strict))
            )
        else:
            report.issues.append(Issue(name, 1, col, "a header cell is empty", _header_problem(report.strict)))
    present = {c for c in targets.values() if c} | {c for c in expected if c.endswith("Concatenated")}
    missing = [c for c in expected if c not in present and not c.endswith("Concatenated")]
    mostly_there = len(missing) <= len(expected) // 2
    for col in missing:
        action = SET_MISSING if mostly_there and not report.strict else REFUSED
        report.issues.append(Issue(name, 1, col, f"required {fmt} column is missing", action))
    return targets


@cache
def _canonical_lower() -> dict[str, str]:
    return {c.lower(): c for c in [*DATA_COLUMNS, *_SPECIAL_TARGETS]}


@cache
def _fields_lower() -> dict[str, dict]:
    return {f.lower(): spec for f, spec in htcds_fields().items()}


def _htcds_target(col: str, mapping: dict[str, str | None] | None) -> tuple[bool, str | None]:
    """(recognised, canonical target or None for a known column the store does not keep)."""
    canonical_lower, fields = _canonical_lower(), _fields_lower()
    low = col.lower()
    if mapping is not None and col in mapping:
        return True, mapping[col]
    if low in canonical_lower:
        return True, canonical_lower[low]
    if low in fields:
        return True, fields[low]["target"]
    if normal(col) in htcds_by_label():
        return True, htcds_fields()[htcds_by_label()[normal(col)]]["target"]
    if low in HTCDS_ALIASES:
        return True, HTCDS_ALIASES[low]
    if col.endswith("Concatenated") or col == unnamed_column(0):
        return True, None
    return False, None


def _htcds_targets(
    header: list[str], mapping: dict[str, str | None] | None, report: ValidationReport
) -> dict[str, str | None]:
    name = Path(report.file).name
    targets: dict[str, str | None] = {}
    for col in header:
        recognised, target = _htcds_target(col, mapping)
        mapped = mapping is not None and col in mapping and target is not None
        if mapped and target not in DATA_COLUMNS and target not in _SPECIAL_TARGETS:
            report.issues.append(Issue(name, 1, col, "the mapping names an unknown canonical column"))
            continue
        if not recognised:
            reason = (
                "a header cell is empty"
                if col.startswith("(column ")
                else "no canonical column for this header; add it to the mapping (or map to null)"
            )
            report.issues.append(Issue(name, 1, col, reason, _header_problem(report.strict)))
            continue
        targets[col] = target
    if mapping:
        for col in mapping:
            if col not in header:
                report.issues.append(Issue(name, 1, col, "the mapping names a column the file does not have"))
    _prefer_canonical(targets)
    return targets


def _prefer_canonical(targets: dict[str, str | None]) -> None:
    """A column named as the canonical schema wins over an HTCDS field filling the same column (our HTCDS
    export carries what the standard cannot say in such extension columns)."""
    fields = _fields_lower()
    by_target: dict[str, list[str]] = {}
    for col, target in targets.items():
        if target:
            by_target.setdefault(target, []).append(col)
    for target, cols in by_target.items():
        if len(cols) > 1 and any(c.lower() == target.lower() for c in cols):
            for col in cols:
                if col.lower() in fields:
                    targets[col] = None


def _plan(fmt: str, header: list[str], mapping: dict[str, str | None] | None, report: ValidationReport) -> Plan:
    name = Path(report.file).name
    plan = Plan()
    seen: dict[str, str] = {}
    dupes = {c for c in header if header.count(c) > 1 and c}
    for col in sorted(dupes):
        report.issues.append(Issue(name, 1, col, "the column appears more than once"))
    if fmt in ("ctdc", "ctdc-synthetic"):
        targets = _ctdc_targets(fmt, header, report)
    else:
        targets = _htcds_targets(header, mapping, report)
    for col, target in targets.items():
        report.columns[col] = target or "(ignored)"
        if target is None:
            continue
        if target in seen:
            report.issues.append(Issue(name, 1, col, f"maps to {target}, like column {seen[target]}"))
            continue
        seen[target] = col
        if target in _SPECIAL_TARGETS:
            plan.special[target] = col
            continue
        convert, reason = _converter_for(target)
        plan.columns.append(ColumnPlan(col, target, convert, reason))
    return plan


def htcds_label_row(header: list[str], second: list[str]) -> dict[int, str] | None:
    """The HTCDS Excel template's second row holds the fields' labels: names for the blank header cells
    (the template leaves ``cas_ReasonForOutgoingReferral`` unnamed), or None when the row is data. A cell is
    a label when it is the label of the field named above it (or repeats a name the standard does not
    have, as our extension columns do), or, under a blank header cell, the label of any field."""
    by_label = htcds_by_label()
    fields = {f.lower(): spec["label"] for f, spec in htcds_fields().items()}
    cells = labels = 0
    names: dict[int, str] = {}
    for i, cell in enumerate(second):
        if not cell:
            continue
        cells += 1
        above = header[i] if i < len(header) else ""
        if not above and normal(cell) in by_label:
            labels += 1
            names[i] = by_label[normal(cell)]
        elif above and normal(cell) == normal(fields.get(above.lower(), above)):
            labels += 1
    if cells < 2 or labels * 2 < cells:
        return None
    return names


# --- multi-valued columns ----------------------------------------------------------------------------------
def _split_items(value: str, items: dict[str, tuple[str, ...]]) -> tuple[set[str], list[str]]:
    """Flags named by a multi-valued cell and its unknown items. A whole cell that is one known label is
    taken as it is (labels may hold ',' or ';'); otherwise items are separated by ';' or '|', then ','."""
    whole = items.get(normal(value))
    if whole:
        return set(whole), []
    flags: set[str] = set()
    unknown: list[str] = []
    for part in re.split(r"[;|]", value):
        if not part.strip():
            continue
        hit = items.get(normal(part))
        if hit:
            flags.update(hit)
            continue
        for sub in part.split(","):
            if not sub.strip():
                continue
            hit = items.get(normal(sub))
            if hit:
                flags.update(hit)
            else:
                unknown.append(sub.strip())
    return flags, unknown


def _list_flags(col: pa.Array, group: str) -> tuple[dict[str, pa.Array], pa.Array, list[str | None]]:
    """A multi-valued column as 0/1 flags (null where the cell is empty), the mask of cells with an unknown
    item, and the unknown items of each cell (None when all are known). Parsed once per distinct value."""
    items = list_items(group)
    flags = list_flags(group)
    encoded = pc.dictionary_encode(col)
    dictionary = encoded.dictionary.to_pylist()
    parsed = [_split_items(v, items) for v in dictionary]
    indices = encoded.indices
    out: dict[str, pa.Array] = {}
    for flag in flags:
        per_value = pa.array([1 if flag in hit else 0 for hit, _ in parsed], pa.int8())
        out[flag] = pc.take(per_value, indices)
    unknown_values = pa.array(["; ".join(unk) if unk else None for _, unk in parsed], pa.string())
    unknown = pc.take(unknown_values, indices)
    return out, pc.is_valid(unknown), unknown.to_pylist()


def _merge_flag(a: pa.Array | None, b: pa.Array) -> pa.Array:
    """Two readings of one flag (two lists both naming begging): 1 wins over 0, a known value over null."""
    if a is None:
        return b
    return pc.max_element_wise(a, b, skip_nulls=True)


class _Converter:
    def __init__(self, fmt: str, source: str, batch_id: str, plan: Plan, report: ValidationReport, key):
        self.fmt, self.source, self.batch_id, self.plan, self.report = fmt, source, batch_id, plan, report
        self.name = Path(report.file).name
        self.encoder = None
        self.encoded_rows = 0
        self.quarantined = 0
        self.header: list[str] = []
        if any(c in plan.special for c in IDENTIFIER_COLUMNS):
            if key is None:
                report.issues.append(
                    Issue(
                        self.name,
                        1,
                        ",".join(plan.special[c] for c in IDENTIFIER_COLUMNS if c in plan.special),
                        "raw identifiers need a linkage key to be encoded (they are never stored)",
                    )
                )
            else:
                from threadline.engines.insights.encoding import Encoder

                self.encoder = Encoder(key)

    def _issue_rows(
        self,
        mask: pa.Array,
        rows: np.ndarray,
        column: str,
        reason: str,
        action: str = SET_MISSING,
        values: list | pa.Array | None = None,
    ) -> None:
        if isinstance(values, pa.Array):
            values = values.to_pylist()
        for i in invalid_rows(mask):
            value = None if values is None or values[i] is None else str(values[i])[:VALUE_MAX]
            self.report.issues.append(Issue(self.name, int(rows[i]), column, reason, action, value))

    def convert(self, raw: dict[str, pa.Array], rows: np.ndarray) -> tuple[pa.RecordBatch, pa.Array]:
        """The canonical batch and the mask of the rows to keep (the others are quarantined)."""
        n = len(rows)
        out: dict[str, pa.Array] = {}
        for cp in self.plan.columns:
            cleaned = clean(raw[cp.source])
            typed, invalid = cp.convert(cleaned)
            quoted = None if cp.target in _PRIVATE_TARGETS else cleaned
            other = other_value(cp.target)
            if other is not None:
                typed = pc.if_else(pc.fill_null(invalid, False), pa.scalar(other), typed)
                self._issue_rows(invalid, rows, cp.source, cp.reason, KEPT_AS_OTHER, quoted)
            else:
                self._issue_rows(invalid, rows, cp.source, cp.reason, SET_MISSING, quoted)
            out[cp.target] = typed
        self._lists(raw, rows, out)
        if self.encoder is not None:
            self._encode(raw, rows, out)
        keep = self._identified(raw, rows)
        record_id = self._record_ids(raw, rows)
        meta = {
            "record_id": record_id,
            "source": pa.array(np.full(n, self.source, dtype=object), pa.string()),
            "batch_id": pa.array(np.full(n, self.batch_id, dtype=object), pa.string()),
            "source_format": pa.array(np.full(n, self.fmt, dtype=object), pa.string()),
            "source_row": pa.array(rows, pa.int64()),
        }
        if "isSexualExploit" in out and "isForcedLabour" in out and "isSexAndLabour" not in out:
            both = pc.and_(pc.equal(out["isSexualExploit"], 1), pc.equal(out["isForcedLabour"], 1))
            out["isSexAndLabour"] = pc.cast(both, pa.int8())
        arrays = []
        for f in CANONICAL_SCHEMA:
            if f.name in meta:
                arrays.append(meta[f.name])
            elif f.name in out:
                arrays.append(pc.cast(out[f.name], f.type))
            else:
                arrays.append(pa.nulls(n, f.type))
        return pa.RecordBatch.from_arrays(arrays, schema=CANONICAL_SCHEMA), keep

    def _lists(self, raw: dict[str, pa.Array], rows: np.ndarray, out: dict[str, pa.Array]) -> None:
        """Multi-valued columns (HTCDS picklists) as flags."""
        merged: dict[str, pa.Array] = {}
        for group in LIST_GROUPS:
            if group not in self.plan.special:
                continue
            column = self.plan.special[group]
            flags, unknown, items = _list_flags(clean(raw[column]), group)
            catch_all = list_other(group)
            if catch_all is not None:
                flags[catch_all] = pc.if_else(unknown, pa.scalar(1, pa.int8()), flags[catch_all])
                reason = "an item outside the vocabulary"
                self._issue_rows(unknown, rows, column, reason, KEPT_AS_OTHER, items)
            else:
                reason = "an item outside the vocabulary (no Other category: dropped)"
                self._issue_rows(unknown, rows, column, reason, SET_MISSING, items)
            for flag, values in flags.items():
                merged[flag] = _merge_flag(merged.get(flag), values)
        for flag, values in merged.items():
            out.setdefault(flag, values)  # a flag column of the file, even empty, wins over the list

    def _identified(self, raw: dict[str, pa.Array], rows: np.ndarray) -> pa.Array:
        """In a file with a case id column, a row without a case id is quarantined: it cannot be told apart
        from the others nor corrected later. (Rows of a file without case ids, such as the HTCDS template,
        are kept; without a name or date of birth they are simply not linked.)"""
        n = len(rows)
        if "case_id" not in self.plan.special:
            return pa.array(np.ones(n, dtype=bool))
        keep = pc.is_valid(clean(raw[self.plan.special["case_id"]]))
        reason = "no case id in this row"
        for i in invalid_rows(pc.invert(keep)):
            self.quarantined += 1
            self.report.issues.append(Issue(self.name, int(rows[i]), "", reason, QUARANTINED))
            cells = [raw[h][i].as_py() or "" for h in self.header]
            self.report.rejects.append(Reject(int(rows[i]), reason, cells))
        return keep

    def _record_ids(self, raw: dict[str, pa.Array], rows: np.ndarray) -> pa.Array:
        by_row = pc.binary_join_element_wise(pa.scalar(self.batch_id), pc.cast(pa.array(rows), pa.string()), ":")
        if "case_id" not in self.plan.special:
            return by_row
        column = self.plan.special["case_id"]
        case = clean(raw[column])
        too_long = pc.fill_null(pc.greater(pc.utf8_length(case), 64), False)
        self._issue_rows(too_long, rows, column, "case id longer than 64 characters")
        case = pc.if_else(too_long, None, case)
        return pc.coalesce(pc.binary_join_element_wise(pa.scalar(self.source), case, ":"), by_row)

    def _encode(self, raw: dict[str, pa.Array], rows: np.ndarray, out: dict[str, pa.Array]) -> None:
        from threadline.engines.insights.encoding import normalise_date

        special = self.plan.special
        cols = {c: (clean(raw[special[c]]).to_pylist() if c in special else None) for c in IDENTIFIER_COLUMNS}
        n = len(rows)
        dobs = cols["date_of_birth"]
        encoded: dict[str, list] = {c: [] for c in ENCODING_COLUMNS}
        for i in range(n):
            dob = None
            if dobs is not None and dobs[i] is not None:
                dob = normalise_date(dobs[i])
                if dob is None:
                    self.report.issues.append(
                        Issue(
                            self.name,
                            int(rows[i]),
                            special["date_of_birth"],
                            "not a date (YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY)",
                            SET_MISSING,
                        )
                    )
            given = cols["given_name"][i] if cols["given_name"] is not None else None
            family = cols["family_name"][i] if cols["family_name"] is not None else None
            enc = self.encoder.encode(given, family, dob)
            for c in ENCODING_COLUMNS:
                encoded[c].append(enc[c])
            self.encoded_rows += 1
        for c in ENCODING_COLUMNS:
            out[c] = pa.array(encoded[c], pa.string())


def _check(fmt: str, source: str) -> None:
    if fmt not in FORMATS:
        raise ImportError_(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not _SOURCE_RE.match(source or ""):
        raise ImportError_("source must be 1-64 letters, digits, '.', '_' or '-'")


def _run(
    path: Path,
    fmt: str,
    source: str,
    mapping: dict[str, str | None] | None,
    key,
    sink: Callable[[pa.RecordBatch], None] | None,
    batch_id: str,
    strict: bool,
) -> tuple[ValidationReport, int]:
    """Validation and conversion as one pure step: batches go to ``sink`` (nothing else is written).

    Lenient (the default): an unreadable value becomes missing (or ``Other`` where the vocabulary has one)
    and is reported; a row with the wrong number of cells or without any identifier is quarantined; the
    rest goes to the sink. Strict: any problem refuses the whole file (every problem still reported).
    """
    report = ValidationReport(file=str(path), format=fmt, strict=strict)
    if not path.exists():
        report.issues.append(Issue(path.name, 0, "", "file not found"))
        return report, 0
    labels = htcds_label_row if fmt == "htcds" else None
    reader = Reader(path, report.issues, labels=labels, rejects=report.rejects)
    header = reader.read_header()
    if not header:
        return report, 0
    report.header = header
    plan = _plan(fmt, header, mapping, report)
    if not report.ok:  # header problems: do not read rows against a wrong layout
        return _finish(report, strict), 0
    conv = _Converter(fmt, source, batch_id, plan, report, key)
    conv.header = header
    if not report.ok:
        return _finish(report, strict), 0
    for raw in reader.batches():
        batch, keep = conv.convert(raw.columns, raw.rows)
        report.rows += batch.num_rows
        if sink is None or (strict and report.issues):
            continue
        if not pc.all(keep).as_py():
            batch = batch.filter(keep)
        if batch.num_rows:
            sink(batch)
    report.rows += len(report.rejects) - conv.quarantined  # rows the reader could not split into cells
    return _finish(report, strict), conv.encoded_rows


def _finish(report: ValidationReport, strict: bool) -> ValidationReport:
    if strict:
        report.issues[:] = [dataclasses.replace(i, action=REFUSED) for i in report.issues]
    report.issues.sort(key=lambda i: (i.row, i.column))
    report.rejects.sort(key=lambda r: r.row)
    return report


def validate_file(
    path: str | os.PathLike[str],
    fmt: str,
    *,
    mapping: dict[str, str | None] | None = None,
    key: bytes | str | None = None,
    source: str = "validate",
    strict: bool = False,
) -> ValidationReport:
    """Check a file without storing anything; every problem is reported with file, row, column and what an
    import would do about it (``action``)."""
    _check(fmt, source)
    report, _ = _run(Path(path), fmt, source, mapping, key, None, "validate", strict)
    return report


def _new_batch_id(source: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{source}-{uuid.uuid4().hex[:8]}"


def import_file(
    path: str | os.PathLike[str],
    fmt: str,
    source: str,
    store: Store | str | os.PathLike[str] | None = None,
    mapping: dict[str, str | None] | None = None,
    *,
    key: bytes | str | None = None,
    strict: bool = False,
    rejects: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Validate and import one file as a new batch of the store, atomically (all kept rows or nothing).

    Lenient by default (see :func:`_run`): rows in = rows stored + rows quarantined, and the quarantined rows
    are written to ``rejects`` (CSV: row, reason, the file's cells) when given. ``strict`` stores nothing on
    any problem. ``mapping`` (HTCDS only) maps file columns to canonical columns (``None`` ignores a
    column); ``key`` is the linkage key, needed only when the file carries raw identifiers, which are
    encoded and dropped.
    """
    _check(fmt, source)
    st = as_store(store).ensure()
    path = Path(path)
    batch_id = _new_batch_id(source)
    final = st.batches_dir / f"{batch_id}.parquet"
    tmp = st.batches_dir / f".{batch_id}.parquet.tmp"
    writer: list[pq.ParquetWriter] = []

    def sink(batch: pa.RecordBatch) -> None:
        if not writer:
            writer.append(pq.ParquetWriter(tmp, CANONICAL_SCHEMA, compression="zstd"))
        writer[0].write_batch(batch)

    try:
        report, encoded = _run(path, fmt, source, mapping, key, sink, batch_id, strict)
    except BaseException:
        if writer:
            writer[0].close()
        tmp.unlink(missing_ok=True)
        raise
    if writer:
        writer[0].close()
    result = ImportReport(str(path), fmt, source, False, report.rows, validation=report, encoded_rows=encoded)
    if report.ok and writer:
        _check_duplicate_ids(tmp, st, path.name, report)
    if not report.ok or not writer:
        tmp.unlink(missing_ok=True)
        if report.ok:
            reason = "the file has no data rows" if not report.rows else "every row was quarantined"
            report.issues.append(Issue(path.name, 0, "", reason))
        return result
    if rejects is not None and report.rejects:
        try:  # before the batch is renamed into the store: no rejects file, no import
            report.write_rejects(Path(rejects))
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
        result.rejects_file = str(rejects)
    manifest = {
        "batch_id": batch_id,
        "source": source,
        "format": fmt,
        "file_name": path.name,
        "rows": report.stored_rows,
        "quarantined": report.quarantined,
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mapping": report.columns,
    }
    mtmp = st.batches_dir / f".{batch_id}.json.tmp"
    mtmp.write_text(json.dumps(manifest, indent=2))
    os.replace(mtmp, final.with_suffix(".json"))
    os.replace(tmp, final)
    refresh_catalogue(st)
    result.stored, result.batch_id, result.parquet = True, batch_id, str(final)
    return result


def _check_duplicate_ids(tmp: Path, store: Store, name: str, report: ValidationReport) -> None:
    """A case id may appear once per source: within the file, and across earlier imports of the store."""
    import duckdb

    from threadline.engines.insights.store import _sql_str

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
        new = f"read_parquet({_sql_str(str(tmp))})"
        dupes = con.execute(
            f"SELECT source_row FROM (SELECT source_row, "  # noqa: S608
            f"row_number() OVER (PARTITION BY record_id ORDER BY source_row) rn FROM {new}) "
            "WHERE rn > 1 ORDER BY 1"
        ).fetchall()
        rows = [r[0] for r in dupes]
        for row in rows:
            report.issues.append(Issue(name, int(row), "case_id", "the case id appears earlier in the file"))
        old_files = store.batch_files()
        if old_files:
            old = "[" + ", ".join(_sql_str(str(p)) for p in old_files) + "]"
            again = con.execute(
                f"SELECT n.source_row FROM {new} n SEMI JOIN read_parquet({old}) o USING (record_id) "  # noqa: S608
                "ORDER BY 1"
            ).fetchall()
            for (row,) in again:
                report.issues.append(
                    Issue(name, int(row), "case_id", "this source already imported the case id (earlier batch)")
                )
    finally:
        con.close()
    report.issues.sort(key=lambda i: (i.row, i.column))
