"""Reading a file's header: which canonical column each column fills, for the published formats.

CTDC files are matched by their column names in any order (the 2020 file's terms-of-use header cell is
recognised); HTCDS files by the standard's field names and labels, our canonical names, our snake_case
aliases, or an explicit mapping. What a column cannot be read as is reported (and, in a lenient import,
ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from threadline.engines.insights.importers.base import (
    COLUMN_IGNORED,
    REASONS,
    REFUSED,
    SET_MISSING,
    Converter,
    Issue,
    ValidationReport,
    country_converter,
    flag_converter,
    hex_converter,
    text_converter,
    unnamed_column,
    vocabulary_converter,
    year_converter,
)
from threadline.engines.insights.importers.vocabulary import (
    LIST_GROUPS,
    htcds_by_label,
    htcds_fields,
    load,
    normal,
)
from threadline.engines.insights.schema import (
    COUNTRY_COLUMNS,
    CTDC_COLUMNS,
    CTDC_SYNTHETIC_COLUMNS,
    DATA_COLUMNS,
    ENUM_COLUMNS,
    FLAG_COLUMNS,
    IDENTIFIER_COLUMNS,
)

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
_ID_TARGETS = {"case_id", *IDENTIFIER_COLUMNS, "enc_given", "enc_family", "enc_dob"}


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


def plan_columns(fmt: str, header: list[str], mapping: dict[str, str | None] | None, report: ValidationReport) -> Plan:
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
