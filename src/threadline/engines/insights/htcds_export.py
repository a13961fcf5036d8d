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
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pyarrow as pa
import pyarrow.compute as pc

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
    columns = header(identities=identities)
    return write_row_lists(([row.get(c, "") for c in columns] for row in rows), out, columns, spreadsheet=spreadsheet)


def write_row_lists(
    rows: Iterable[Sequence[str]], out: str | os.PathLike[str], columns: list[str], *, spreadsheet: bool = False
) -> int:
    """Write rows of cells in ``columns`` order (empty string for missing), CSV or spreadsheet, atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if spreadsheet:
            n = _write_xlsx(rows, tmp, columns)
        else:
            n = 0
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(row)
                    n += 1
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return n


# --- the spreadsheet ----------------------------------------------------------------------------------------
# The sheet is written as SpreadsheetML directly (inline strings, streamed into the ZIP): openpyxl's write-only
# mode without lxml spends about 7 microseconds a cell, 25 s for 60,000 records; this takes a tenth of that.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
        '<sheet name="HTCDS" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}
#: Characters XML 1.0 does not allow (control characters other than tab and line breaks).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_row(n: int, cells: Sequence, letters: list[str]) -> str:
    parts = [f'<row r="{n}">']
    for letter, value in zip(letters, cells, strict=False):
        if value is None or value == "":
            continue
        if isinstance(value, int):
            parts.append(f'<c r="{letter}{n}"><v>{value}</v></c>')
            continue
        text = _ILLEGAL.sub("", xml_escape(str(value)))
        parts.append(f'<c r="{letter}{n}" t="inlineStr"><is><t>{text}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def _write_xlsx(rows: Iterable[Sequence[str]], path: Path, columns: list[str]) -> int:
    """The official template's layout: a blank-headed row-number column, the field names, their labels in the
    second row, data from the third."""
    letters = [_column_letter(i) for i in range(len(columns) + 1)]
    n = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, xml in _PARTS.items():
            book.writestr(name, _HEAD + xml)
        with (
            book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as sheet,
        ):
            sheet.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>')
            sheet.write(_xml_row(1, ["", *columns], letters))
            sheet.write(_xml_row(2, ["", *labels(columns)], letters))
            for n, row in enumerate(rows, start=1):
                sheet.write(_xml_row(n + 2, [n, *row], letters))
            sheet.write("</sheetData></worksheet>")
    return n


# --- columnar conversion of the store's records -------------------------------------------------------------
def _text(values: pa.Array) -> pa.Array:
    return pc.fill_null(pc.cast(values, pa.string()), "")


def _mapped(values: pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Each value through ``mapping`` (unmapped values as they are), computed once per distinct value."""
    encoded = pc.dictionary_encode(values)
    names = pa.array([mapping.get(v, v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.fill_null(pc.take(names, encoded.indices), "")


def _picklist(batch: pa.RecordBatch, field: str) -> pa.Array:
    """The HTCDS value names whose canonical flags are all 1, joined with ';' (the first one only for the
    single-select ``vic_ForcedLabourIndustry``)."""
    named = []
    for flags, name in _list_map(field):
        hit = pc.equal(batch.column(flags[0]), 1)
        for flag in flags[1:]:
            hit = pc.and_kleene(hit, pc.equal(batch.column(flag), 1))
        hit = pc.fill_null(hit, False)
        named.append(pc.if_else(hit, pa.scalar(name), pa.scalar(None, pa.string())))
    if not named:
        return pa.array([""] * batch.num_rows, pa.string())
    if field == "vic_ForcedLabourIndustry":
        return pc.fill_null(pc.coalesce(*named), "")
    # null_handling="skip" loses trailing all-null rows (pyarrow 26): replace by "" and drop the empty items
    joined = pc.binary_join_element_wise(*named, ";", null_handling="replace", null_replacement="")
    return pc.utf8_trim(pc.replace_substring_regex(joined, ";{2,}", ";"), ";")


def htcds_columns(batch: pa.RecordBatch) -> list[pa.Array]:
    """The HTCDS and extension cells of a batch of canonical records, column by column (as :func:`header`
    without identities orders them; the same cells as :func:`htcds_row` gives record by record)."""
    out = []
    for column in header():
        if column == "prs_Citizenship":
            out.append(_text(batch.column("citizenship")))
        elif column in _SINGLE:
            out.append(_mapped(batch.column(_SINGLE[column]), _single_map(column)))
        elif column in _LISTS:
            out.append(_picklist(batch, column))
        else:
            out.append(_text(batch.column(column)))
    return out


def store_row_lists(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[str, ...]]:
    """HTCDS rows (cells in :func:`header` order) of record batches of the canonical schema."""
    for batch in batches:
        yield from zip(*(column.to_pylist() for column in htcds_columns(batch)), strict=True)
