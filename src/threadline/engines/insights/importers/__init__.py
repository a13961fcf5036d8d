"""Importers for CTDC (63-column k-anonymised and 27-column synthetic) and HTCDS-style CSV/Excel files.

Every import validates the whole file first (streaming, in batches), writes the converted records to a
temporary Parquet file and renames it into the store only when no problem was found: a failed import
stores nothing. Raw identifiers (``given_name``, ``family_name``, ``date_of_birth``) are accepted only in
HTCDS files and only with a linkage key: they are encoded on arrival and never written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from threadline.engines.insights.importers.base import (
    REASONS,
    Converter,
    Issue,
    Reader,
    ValidationReport,
    clean,
    country_converter,
    enum_converter,
    flag_converter,
    hex_converter,
    invalid_rows,
    text_converter,
    year_converter,
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
    MEANS_OF_CONTROL,
)
from threadline.engines.insights.store import Store, as_store, refresh_catalogue

__all__ = [
    "FORMATS",
    "ImportError_",
    "ImportReport",
    "Issue",
    "ValidationReport",
    "import_file",
    "validate_file",
]

FORMATS = ("ctdc", "ctdc-synthetic", "htcds")

ENUM_ALIASES: dict[str, dict[str, str]] = {
    "gender": {
        "woman": "Female",
        "girl": "Female",
        "f": "Female",
        "man": "Male",
        "boy": "Male",
        "m": "Male",
        "trans/transgender/nonconforming": "Transgender/NonConforming",
        "transgender": "Transgender/NonConforming",
        "nonconforming": "Transgender/NonConforming",
        "non-binary": "Transgender/NonConforming",
    },
    "majorityStatus": {"child": "Minor", "minor": "Minor", "adult": "Adult"},
    "majorityStatusAtExploit": {"child": "Minor", "adult": "Adult"},
    "majorityEntry": {"child": "Minor", "adult": "Adult"},
    "Datasource": {"case management": "Case Management", "casemanagement": "Case Management"},
    "RecruiterRelationship": {
        "intimatepartner": "Intimate Partner",
        "intimate partner": "Intimate Partner",
        "family/relative": "Family",
        "friend/acquaintance": "Friend",
    },
    "screeningMethod": {"self referral": "Self-referral", "police": "Law enforcement"},
}

#: HTCDS-style snake_case names understood without an explicit mapping.
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
    "case_id": "case_id",
    "first_name": "given_name",
    "forename": "given_name",
    "surname": "family_name",
    "last_name": "family_name",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
}
_LIST_COLUMNS = {"type_of_exploitation", "means_of_control"}
_SPECIAL_TARGETS = {"case_id", *IDENTIFIER_COLUMNS, *_LIST_COLUMNS}

# Tokens of the two HTCDS multi-valued columns (compared lower-case without spaces, dashes or underscores).
EXPLOITATION_TOKENS: dict[str, str] = {
    "sexualexploitation": "isSexualExploit",
    "sexual": "isSexualExploit",
    "forcedlabour": "isForcedLabour",
    "forcedlabor": "isForcedLabour",
    "labour": "isForcedLabour",
    "forcedmarriage": "isForcedMarriage",
    "forcedmilitary": "isForcedMilitary",
    "childsoldier": "isForcedMilitary",
    "organremoval": "isOrganRemoval",
    "slaveryandsimilarpractices": "isSlaveryAndPractices",
    "slaveryandpractices": "isSlaveryAndPractices",
    "forcedcriminality": "isForcedCriminality",
    "criminality": "isForcedCriminality",
    "other": "isOtherExploit",
}
MEANS_TOKENS: dict[str, str] = {m.lower(): f"meansOfControl{m}" for m in MEANS_OF_CONTROL}

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

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "source": self.source,
            "stored": self.stored,
            "rows": self.rows,
            "batch_id": self.batch_id,
            "parquet": self.parquet,
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
        reason = "expected one of " + ", ".join(allowed) + " (or -99/Unknown)"
        return enum_converter(allowed, ENUM_ALIASES.get(target)), reason
    if target == "enc_key_id":
        return hex_converter(16), REASONS["hex"]
    if target.startswith("bf_"):
        return hex_converter(64), REASONS["hex"]
    if target.startswith("enc_"):
        return hex_converter(32), REASONS["hex"]
    return text_converter(), REASONS["text"]


def _plan(fmt: str, header: list[str], mapping: dict[str, str | None] | None, report: ValidationReport) -> Plan:
    name = Path(report.file).name
    plan = Plan()
    seen: dict[str, str] = {}
    for col in header:
        if not col:
            report.issues.append(Issue(name, 1, "", "a header cell is empty"))
    dupes = {c for c in header if header.count(c) > 1 and c}
    for col in sorted(dupes):
        report.issues.append(Issue(name, 1, col, "the column appears more than once"))

    if fmt in ("ctdc", "ctdc-synthetic"):
        expected = CTDC_COLUMNS if fmt == "ctdc" else CTDC_SYNTHETIC_COLUMNS
        for col in expected:
            if col not in header:
                report.issues.append(Issue(name, 1, col, f"required {fmt} column is missing"))
        for col in header:
            if col and col not in expected:
                report.issues.append(Issue(name, 1, col, f"not a column of the {fmt} format"))
        targets = {c: (None if c.endswith("Concatenated") else c) for c in expected}
    else:
        canonical_lower = {c.lower(): c for c in [*DATA_COLUMNS, *_SPECIAL_TARGETS]}
        targets = {}
        for col in header:
            if not col:
                continue
            if mapping is not None and col in mapping:
                target = mapping[col]
                if target is not None and target not in DATA_COLUMNS and target not in _SPECIAL_TARGETS:
                    report.issues.append(Issue(name, 1, col, "the mapping names an unknown canonical column"))
                    continue
            elif col.lower() in canonical_lower:
                target = canonical_lower[col.lower()]
            elif col.lower() in HTCDS_ALIASES:
                target = HTCDS_ALIASES[col.lower()]
            elif col.endswith("Concatenated"):
                target = None
            else:
                report.issues.append(
                    Issue(
                        name,
                        1,
                        col,
                        "no canonical column for this header; add it to the mapping (or map to null)",
                    )
                )
                continue
            targets[col] = target
        if mapping:
            for col in mapping:
                if col not in header:
                    report.issues.append(Issue(name, 1, col, "the mapping names a column the file does not have"))

    for col, target in targets.items():
        if col not in header:
            continue
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
        if fmt == "ctdc-synthetic" and target == "gender":
            convert = enum_converter(ENUM_COLUMNS["gender"], ENUM_ALIASES["gender"])
        plan.columns.append(ColumnPlan(col, target, convert, reason))
    return plan


def _list_flags(col: pa.Array, tokens: dict[str, str]) -> tuple[dict[str, pa.Array], pa.Array]:
    """Parse a multi-valued text column (items separated by | ; or ,) into 0/1 flags."""
    compact = pc.replace_substring_regex(pc.utf8_lower(col), r"[\s_\-]+", "")
    wrapped = pc.binary_join_element_wise("|", pc.replace_substring_regex(compact, r"[;,]", "|"), "|", "")
    flags: dict[str, pa.Array] = {}
    leftover = wrapped
    for token, target in sorted(tokens.items(), key=lambda kv: -len(kv[0])):
        hit = pc.match_substring(wrapped, f"|{token}|")
        prev = flags.get(target)
        flags[target] = hit if prev is None else pc.or_(prev, hit)
        leftover = pc.replace_substring(leftover, f"|{token}|", "||")
    invalid = pc.fill_null(pc.match_substring_regex(leftover, r"[^|]"), False)
    present = pc.is_valid(col)
    typed = {t: pc.if_else(present, pc.cast(v, pa.int8()), None) for t, v in flags.items()}
    return typed, invalid


class _Converter:
    def __init__(self, fmt: str, source: str, batch_id: str, plan: Plan, report: ValidationReport, key):
        self.fmt, self.source, self.batch_id, self.plan, self.report = fmt, source, batch_id, plan, report
        self.name = Path(report.file).name
        self.encoder = None
        self.encoded_rows = 0
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

    def _issue_rows(self, mask: pa.Array, rows: np.ndarray, column: str, reason: str) -> None:
        for i in invalid_rows(mask):
            self.report.issues.append(Issue(self.name, int(rows[i]), column, reason))

    def convert(self, raw: dict[str, pa.Array], rows: np.ndarray) -> pa.RecordBatch:
        n = len(rows)
        out: dict[str, pa.Array] = {}
        for cp in self.plan.columns:
            typed, invalid = cp.convert(clean(raw[cp.source]))
            self._issue_rows(invalid, rows, cp.source, cp.reason)
            out[cp.target] = typed
        special = self.plan.special
        for target, tokens in (
            ("type_of_exploitation", EXPLOITATION_TOKENS),
            ("means_of_control", MEANS_TOKENS),
        ):
            if target in special:
                flags, invalid = _list_flags(clean(raw[special[target]]), tokens)
                self._issue_rows(invalid, rows, special[target], "contains an item outside the HTCDS vocabulary")
                for flag, values in flags.items():
                    out[flag] = values if flag not in out else pc.coalesce(out[flag], values)
        if self.encoder is not None:
            self._encode(raw, rows, out)
        if "case_id" in special:
            case = clean(raw[special["case_id"]])
            self._issue_rows(pc.is_null(case), rows, special["case_id"], "case id is empty")
            self._issue_rows(
                pc.fill_null(pc.greater(pc.utf8_length(case), 64), False),
                rows,
                special["case_id"],
                "case id too long",
            )
            record_id = pc.binary_join_element_wise(pa.scalar(self.source), case, ":")
        else:
            record_id = pc.binary_join_element_wise(pa.scalar(self.batch_id), pc.cast(pa.array(rows), pa.string()), ":")
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
        return pa.RecordBatch.from_arrays(arrays, schema=CANONICAL_SCHEMA)

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
                            "not a date (YYYY-MM-DD or DD/MM/YYYY)",
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
) -> tuple[ValidationReport, int]:
    report = ValidationReport(file=str(path), format=fmt)
    if not path.exists():
        report.issues.append(Issue(path.name, 0, "", "file not found"))
        return report, 0
    reader = Reader(path, report.issues, delimiter=";" if fmt == "ctdc" else None)
    header = reader.read_header()
    if not header:
        return report, 0
    plan = _plan(fmt, header, mapping, report)
    if report.issues:  # header problems: do not read rows against a wrong layout
        return report, 0
    conv = _Converter(fmt, source, batch_id, plan, report, key)
    if report.issues:
        return report, 0
    for raw in reader.batches():
        batch = conv.convert(raw.columns, raw.rows)
        report.rows += batch.num_rows
        if sink is not None and not report.issues:
            sink(batch)
    report.rows += sum(1 for i in report.issues if i.column == "" and i.row > 1)
    report.issues.sort(key=lambda i: (i.row, i.column))
    return report, conv.encoded_rows


def validate_file(
    path: str | os.PathLike[str],
    fmt: str,
    *,
    mapping: dict[str, str | None] | None = None,
    key: bytes | str | None = None,
    source: str = "validate",
) -> ValidationReport:
    """Check a file without storing anything; every problem is reported with file, row and column."""
    _check(fmt, source)
    report, _ = _run(Path(path), fmt, source, mapping, key, None, "validate")
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
) -> ImportReport:
    """Validate and import one file as a new batch of the store; atomic (nothing stored on any problem).

    ``mapping`` (HTCDS only) maps file columns to canonical columns (``None`` ignores a column); ``key`` is
    the linkage key, needed only when the file carries raw identifiers, which are encoded and dropped.
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
        report, encoded = _run(path, fmt, source, mapping, key, sink, batch_id)
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
    if not report.ok or report.rows == 0:
        tmp.unlink(missing_ok=True)
        if report.ok:
            report.issues.append(Issue(path.name, 0, "", "the file has no data rows"))
        return result
    manifest = {
        "batch_id": batch_id,
        "source": source,
        "format": fmt,
        "file_name": path.name,
        "rows": report.rows,
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
