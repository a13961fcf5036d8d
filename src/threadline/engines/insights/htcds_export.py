"""Canonical records as HTCDS 2.0 rows: the standard's columns, then Threadline's extension columns.

The HTCDS columns (``prs_Gender``, ``prs_Citizenship``, ``vic_RelationshipToTrafficker``, the multi-select
``vic_MethodsOfControl``, ``vic_TypeOfExploitation``, ``vic_TypeOfSexExploitation`` and the ISIC section
``vic_ForcedLabourIndustry``) carry value names of the standard, so any HTCDS tool reads them. What the
standard cannot say (registration year, age band, country of exploitation, forced criminality, a flag known
to be 0 ...) follows in extension columns named as the canonical schema; on import a canonical column wins
over the HTCDS column it overlaps, so export then import gives the same records. Identity columns
(``prs_FirstName``, ``prs_SecondName``, ``prs_Birthdate``) are written only by callers that hold identities
and may share them (protection cases); the insights store never holds them.

Two layouts: CSV, and the official Excel template's (a blank-headed row-number column, field names, a row of
labels, data from row 3).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from threadline.engines.insights.importers.vocabulary import htcds_fields, normal, vocabulary
from threadline.engines.insights.schema import DATA_COLUMNS, ENCODING_COLUMNS

IDENTITY_COLUMNS = ["prs_FirstName", "prs_SecondName", "prs_Birthdate"]
#: HTCDS picklist -> the canonical single-valued column it carries (citizenship is an ISO code as it is).
_SINGLE = {"prs_Gender": "gender", "vic_RelationshipToTrafficker": "RecruiterRelationship"}
#: HTCDS field -> the vocabulary list group it carries.
_LISTS = {
    "vic_MethodsOfControl": "means_of_control",
    "vic_TypeOfExploitation": "type_of_exploitation",
    "vic_ForcedLabourIndustry": "type_of_labour",
    "vic_TypeOfSexExploitation": "type_of_sex",
}
HTCDS_COLUMNS = ["prs_Gender", "prs_Citizenship", "vic_RelationshipToTrafficker", *_LISTS]
#: Canonical columns HTCDS carries without loss; every other data column is an extension column.
_LOSSLESS = {"gender", "citizenship"}
EXTENSION_COLUMNS = [c for c in DATA_COLUMNS if c not in _LOSSLESS and c not in ENCODING_COLUMNS]


@cache
def _value_names(field: str) -> dict[str, str]:
    """Normal form of a spelling -> the HTCDS value name of ``field`` it stands for."""
    return {normal(name): name for name, _label in htcds_fields()[field].get("values", [])}


@cache
def _single_map(field: str) -> dict[str, str]:
    """Canonical value -> HTCDS value name (the first spelling in the vocabulary that is one)."""
    names = _value_names(field)
    out: dict[str, str] = {}
    for canonical, spellings in vocabulary()["enums"][_SINGLE[field]].items():
        for spelling in spellings:
            if canonical and normal(spelling) in names:
                out.setdefault(canonical, names[normal(spelling)])
    return out


@cache
def _list_map(field: str) -> list[tuple[tuple[str, ...], str]]:
    """(canonical flags that must all be 1, HTCDS value name), in vocabulary order, once per value name."""
    names = _value_names(field)
    out: list[tuple[tuple[str, ...], str]] = []
    seen: set[str] = set()
    for flags, spellings in vocabulary()["lists"][_LISTS[field]]["items"].items():
        for spelling in spellings:
            name = names.get(normal(spelling))
            if name and name not in seen:
                out.append((tuple(flags.split("+")), name))
                seen.add(name)
                break
    return out


def htcds_row(record: dict) -> dict[str, str]:
    """The HTCDS and extension cells of one canonical record (missing values are empty)."""
    row: dict[str, str] = {"prs_Citizenship": record.get("citizenship") or ""}
    for field, column in _SINGLE.items():
        value = record.get(column)
        row[field] = "" if value is None else _single_map(field).get(value, value)
    for field in _LISTS:
        names = [name for flags, name in _list_map(field) if all(record.get(f) == 1 for f in flags)]
        if field == "vic_ForcedLabourIndustry":  # a single-select picklist in the standard
            names = names[:1]
        row[field] = ";".join(names)
    for column in EXTENSION_COLUMNS:
        value = record.get(column)
        row[column] = "" if value is None else str(value)
    return row


def header(*, identities: bool = False) -> list[str]:
    return [*(IDENTITY_COLUMNS if identities else []), *HTCDS_COLUMNS, *EXTENSION_COLUMNS]


def labels(columns: list[str]) -> list[str]:
    fields = htcds_fields()
    return [fields[c]["label"] if c in fields else c for c in columns]


def write_htcds(
    rows: Iterable[dict[str, str]], out: str | os.PathLike[str], *, spreadsheet: bool = False, identities: bool = False
) -> int:
    """Write HTCDS rows (from :func:`htcds_row`, plus identity cells when ``identities``) as CSV or in the
    official Excel template's layout; atomically. Returns the number of rows."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    columns = header(identities=identities)
    try:
        if spreadsheet:
            n = _write_xlsx(rows, tmp, columns)
        else:
            n = 0
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([row.get(c, "") for c in columns])
                    n += 1
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return n


def _write_xlsx(rows: Iterable[dict[str, str]], path: Path, columns: list[str]) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("HTCDS")
    sheet.append([None, *columns])
    sheet.append([None, *labels(columns)])
    n = 0
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *[row.get(c) or None for c in columns]])
    book.save(path)
    return n


def store_rows(batches: Iterator) -> Iterator[dict[str, str]]:
    """HTCDS rows of record batches (pyarrow) of the canonical schema."""
    for batch in batches:
        for record in batch.to_pylist():
            yield htcds_row(record)
