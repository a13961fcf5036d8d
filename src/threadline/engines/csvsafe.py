"""CSV cells that a spreadsheet shows as text, never runs as a formula (CSV/formula injection).

Scraped ads, partner files and free-text fields end up in CSV files that people open in Excel or LibreOffice. A
cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets skip before
one of those) is read as a formula there, so a scraped ``=HYPERLINK(...)`` or ``-2+3+cmd|...`` would run on an
analyst's machine. Every CSV Threadline writes goes through this module, which prefixes such a cell with a
single quote: the cell stays readable (``'+44 20 7946 0000``) and is shown as text. Plain numbers (``-3``,
``+44207946000``, ``-0.5``) cannot carry a formula and are left as they are, so figures stay numbers.

The one helper has a form for each way the code base writes CSV: rows for the ``csv`` module
(:func:`writer`, :func:`dict_writer`, :func:`cell`), Arrow tables (:func:`table`) and DuckDB ``COPY`` (:func:`sql`).
It lives in the engines (no Django) so the engines and the apps share it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_TRIGGER_CLASS = "[=+\\-@\\t\\r]"


def cell(value: Any) -> Any:
    """``value`` as a cell that a spreadsheet shows as text (only strings are ever changed)."""
    if isinstance(value, str) and value and value[0] in TRIGGERS and not _NUMBER_RE.fullmatch(value):
        return PREFIX + value
    return value


def unescape(value: str) -> str:
    """The original text of a cell written by :func:`cell` (for readers of our own CSV files)."""
    if value[:1] == PREFIX and value[1:2] in TRIGGERS and not _NUMBER_RE.fullmatch(value[1:]):
        return value[1:]
    return value


def row(values: Iterable[Any]) -> list[Any]:
    return [cell(v) for v in values]


class _Writer:
    """``csv.writer`` with every cell neutralised."""

    def __init__(self, fh, **kwargs) -> None:
        self._w = csv.writer(fh, **kwargs)

    def writerow(self, values: Iterable[Any]):
        return self._w.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for r in rows:
            self.writerow(r)


def writer(fh, **kwargs) -> _Writer:
    return _Writer(fh, **kwargs)


class _DictWriter(csv.DictWriter):
    """``csv.DictWriter`` with every cell neutralised (the header row is written as given)."""

    def writerow(self, rowdict: Mapping[str, Any]):
        return super().writerow({k: cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for r in rowdicts:
            self.writerow(r)


def dict_writer(fh, fieldnames, **kwargs) -> csv.DictWriter:
    return _DictWriter(fh, fieldnames, **kwargs)


def table(tbl):
    """An Arrow table with the text columns neutralised (other columns unchanged)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for col in tbl.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            starts = pc.match_substring_regex(col, "^" + _TRIGGER_CLASS)
            if pc.any(starts).as_py():  # most columns have no such cell: skip the costlier number check
                risky = pc.and_(starts, pc.invert(pc.match_substring_regex(col, "^" + _NUMBER + "$")))
                col = pc.if_else(risky, pc.binary_join_element_wise(PREFIX, col, ""), col)
        columns.append(col)
    return pa.table(columns, schema=tbl.schema)


def sql(expr: str) -> str:
    """A DuckDB expression giving the neutralised text of the text expression ``expr``."""
    return (
        f"(CASE WHEN regexp_matches({expr}, '^{_TRIGGER_CLASS}') AND NOT regexp_full_match({expr}, '{_NUMBER}') "
        f"THEN '{PREFIX}{PREFIX}' || {expr} ELSE {expr} END)"
    )


def sql_unescape(expr: str) -> str:
    """A DuckDB expression giving the original text of a cell written through this module (see :func:`unescape`)."""
    return (
        f"(CASE WHEN regexp_matches({expr}, '^{PREFIX}{PREFIX}{_TRIGGER_CLASS}') "
        f"AND NOT regexp_full_match(substr({expr}, 2), '{_NUMBER}') THEN substr({expr}, 2) ELSE {expr} END)"
    )


def copy_query(con, query: str) -> str:
    """``query`` (for a DuckDB ``COPY ... TO ... (FORMAT csv)``) with its text columns neutralised."""
    columns = con.execute(f"DESCRIBE {query}").fetchall()  # (name, type, ...)
    select = []
    for name, ctype, *_ in columns:
        q = '"' + name.replace('"', '""') + '"'
        select.append(f"{sql(q)} AS {q}" if ctype == "VARCHAR" else q)
    return f"SELECT {', '.join(select)} FROM ({query}) AS neutralised"  # noqa: S608 - names quoted above


def read_csv_select(path: str, text_columns: tuple[str, ...], options: str = "header = true") -> str:
    """A DuckDB ``SELECT`` over a CSV file written through this module, giving the original text of
    ``text_columns``."""
    quoted = ['"' + c.replace('"', '""') + '"' for c in text_columns]
    replace = ", ".join(f"{sql_unescape(q)} AS {q}" for q in quoted)
    literal = "'" + path.replace("'", "''") + "'"
    return f"SELECT * REPLACE ({replace}) FROM read_csv({literal}, {options})"  # noqa: S608
