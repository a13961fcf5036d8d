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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from threadline.engines.insights.importers.base import (
    COLUMN_IGNORED,
    KEPT_AS_OTHER,
    KEY_IDS_KEPT,
    QUARANTINED,
    REFUSED,
    SET_MISSING,
    VALUE_MAX,
    Issue,
    Reader,
    Reject,
    ValidationReport,
    clean,
    invalid_rows,
)
from threadline.engines.insights.importers.plan import (
    SPECIAL_TARGETS,
    Plan,
    htcds_label_row,
    plan_columns,
)
from threadline.engines.insights.importers.vocabulary import (
    LIST_GROUPS,
    list_flags,
    list_items,
    list_other,
    normal,
    other_value,
)
from threadline.engines.insights.schema import (
    CANONICAL_SCHEMA,
    ENCODING_COLUMNS,
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
    "htcds_label_row",
    "import_file",
    "validate_file",
]

FORMATS = ("ctdc", "ctdc-synthetic", "htcds")

#: Columns whose values are never quoted in a report (they identify a person or a case).
_PRIVATE_TARGETS = {"case_id", *IDENTIFIER_COLUMNS, *ENCODING_COLUMNS}
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
        self.case_rows: dict[str, int] = {}  # record id -> the row it first appeared in (duplicate case ids)
        if any(c in plan.special for c in IDENTIFIER_COLUMNS):
            if key is None:
                # Without the agencies' key names cannot be encoded: a strict import refuses the file, a
                # lenient one leaves the columns out (the records are kept, unlinked) and says so.
                columns = [plan.special.pop(c) for c in IDENTIFIER_COLUMNS if c in plan.special]
                for column in columns:
                    report.columns[column] = "(ignored)"
                action = REFUSED if report.strict else COLUMN_IGNORED
                reason = "raw identifiers need a linkage key to be encoded (they are never stored)"
                report.issues.append(Issue(self.name, 1, ",".join(columns), reason, action))
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
        for i in invalid_rows(mask):
            value = None if values is None else values[int(i)]
            value = value.as_py() if isinstance(value, pa.Scalar) else value
            value = None if value is None else str(value)[:VALUE_MAX]
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
            if cp.target == "enc_key_id":
                self._note_keys(typed, rows, cp.source)
        self._lists(raw, rows, out)
        if self.encoder is not None:
            self._encode(raw, rows, out)
        keep = self._identified(raw, rows)
        record_id = self._record_ids(raw, rows)
        keep = self._first_occurrences(raw, rows, record_id, keep)
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

    def _note_keys(self, keys: pa.Array, rows: np.ndarray, column: str) -> None:
        """Remember where each linkage-key fingerprint first appears (a file must use one key)."""
        found = self.report.key_ids
        for value in pc.unique(keys).to_pylist():
            if value is not None and value not in found and len(found) < KEY_IDS_KEPT:
                found[value] = (int(rows[pc.index(keys, value).as_py()]), column)

    def _quarantine(self, raw: dict[str, pa.Array], i: int, row: int, reason: str) -> None:
        self.quarantined += 1
        self.report.issues.append(Issue(self.name, row, "", reason, QUARANTINED))
        self.report.rejects.append(Reject(row, reason, [raw[h][i].as_py() or "" for h in self.header]))

    def _first_occurrences(
        self, raw: dict[str, pa.Array], rows: np.ndarray, record_id: pa.Array, keep: pa.Array
    ) -> pa.Array:
        """A case id may appear once in a file: the first row with it is kept, every later one quarantined
        (naming the row it repeats). Only files with a case id column can repeat one."""
        if "case_id" not in self.plan.special:
            return keep
        seen = self.case_rows
        mask = keep.to_pylist()
        for i, (rid, kept) in enumerate(zip(record_id.to_pylist(), mask, strict=True)):
            if not kept:
                continue
            first = seen.setdefault(rid, int(rows[i]))
            if first != int(rows[i]):
                mask[i] = False
                self._quarantine(raw, i, int(rows[i]), f"the case id appears earlier in the file (row {first})")
        return pa.array(mask, pa.bool_())

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
        for i in invalid_rows(pc.invert(keep)):
            self._quarantine(raw, int(i), int(rows[i]), "no case id in this row")
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
    plan = plan_columns(fmt, header, mapping, report)
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
    _mixed_keys(report)
    return _finish(report, strict), conv.encoded_rows


def _mixed_keys(report: ValidationReport) -> None:
    """Rows encoded with different linkage keys can never be linked with each other: the file is refused at
    the row where the second key first appears."""
    if len(report.key_ids) < 2:
        return
    (_first, _where), (second, (row, column)) = sorted(report.key_ids.items(), key=lambda item: item[1][0])[:2]
    more = "" if len(report.key_ids) < KEY_IDS_KEPT else " or more"
    reason = (
        f"the rows were encoded with {len(report.key_ids)}{more} different linkage keys (fingerprint {second} "
        "first appears here): records under different keys cannot be linked; encode every row with the one "
        "shared key"
    )
    report.issues.append(Issue(Path(report.file).name, row, column, reason, REFUSED))


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
        _check_against_store(tmp, st, path.name, report)
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


def _check_against_store(tmp: Path, store: Store, name: str, report: ValidationReport) -> None:
    """What only the store can tell: a case id this source imported in an earlier batch (the file is refused:
    it is most likely imported twice), and a linkage key other than the one the store's records were encoded
    with (its people could never be linked with the store's, so each would be counted again)."""
    import duckdb

    from threadline.engines.insights.store import _sql_str

    old_files = store.batch_files()
    if not old_files:
        return
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
        new = f"read_parquet({_sql_str(str(tmp))})"
        old = "read_parquet([" + ", ".join(_sql_str(str(p)) for p in old_files) + "], union_by_name = true)"
        again = con.execute(
            f"SELECT n.source_row FROM {new} n SEMI JOIN {old} o USING (record_id) ORDER BY 1"  # noqa: S608
        ).fetchall()
        for (row,) in again:
            report.issues.append(
                Issue(name, int(row), "case_id", "this source already imported the case id (earlier batch)")
            )
        keys_sql = f"SELECT DISTINCT enc_key_id FROM {old} WHERE enc_key_id IS NOT NULL"  # noqa: S608
        stored = {r[0] for r in con.execute(keys_sql).fetchall()}
    finally:
        con.close()
    foreign = sorted((where, key) for key, where in report.key_ids.items() if stored and key not in stored)
    if foreign:
        (row, column), key = foreign[0]
        reason = (
            f"encoded with a different linkage key (fingerprint {key}) from the records already in the store "
            f"(fingerprint {', '.join(sorted(stored))}): its people could never be linked with them"
        )
        report.issues.append(Issue(name, row, column, reason))
    report.issues.sort(key=lambda i: (i.row, i.column))
