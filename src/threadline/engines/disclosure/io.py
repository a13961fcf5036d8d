"""Reading case-level records and writing protected tables."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from threadline.engines import csvsafe
from threadline.engines.disclosure.fields import TOTAL
from threadline.engines.disclosure.protected import ProtectedTable

SUPPRESSED = "suppressed"


def read_records(path: str | os.PathLike[str]) -> pa.Table:
    """A Parquet file, or a CSV (comma or semicolon, as CTDC publishes) with CTDC column names."""
    p = Path(path)
    if p.suffix.lower() in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        return pq.read_table(p)
    import pyarrow.csv as pacsv

    with open(p, encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # Read every column as text: codes such as "-99" and ISO codes must not be type-guessed, and "NA"
    # (Namibia) must not become null.
    names = next(csv.reader([header.strip()], delimiter=delimiter))
    return pacsv.read_csv(
        p,
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, null_values=[]
        ),
    )


def to_rows(table: ProtectedTable, *, include_reason: bool = False) -> list[dict[str, Any]]:
    """One dict per figure: the grouping fields ("Total" where summed over), ``count`` (None when
    suppressed), ``status`` ("" or "suppressed"), ``accuracy`` (DP: half-width at ``confidence``).

    The reason for a suppression is left out unless ``include_reason`` (internal use only): telling
    primary from complementary cells would tell an attacker which hidden cells are below k.
    """
    confidence = f"{100 * (1 - table.alpha):g}%" if table.alpha is not None else ""
    rows = []
    for cell in table.cells:
        row: dict[str, Any] = {f: (TOTAL if v is None else v) for f, v in zip(table.by, cell.key, strict=True)}
        row["count"] = cell.value
        row["status"] = SUPPRESSED if cell.value is None else ""
        row["accuracy"] = None if cell.accuracy is None else round(cell.accuracy, 2)
        row["confidence"] = confidence if cell.accuracy is not None else ""
        if include_reason:
            row["reason"] = cell.suppressed or ""
        rows.append(row)
    return rows


def to_csv(table: ProtectedTable, path: str | os.PathLike[str] | None = None, *, include_reason: bool = False) -> str:
    """The table as CSV text; written atomically to ``path`` when given."""
    rows = to_rows(table, include_reason=include_reason)
    buf = io.StringIO()
    fields = [*table.by, "count", "status", "accuracy", "confidence"] + (["reason"] if include_reason else [])
    writer = csvsafe.dict_writer(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    text = buf.getvalue()
    if path is not None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    return text


def describe(table: ProtectedTable) -> str:
    """One line on how the figures were protected, for the CLI and the web page."""
    if table.method == "dp":
        return (
            f"Differentially private counts (OpenDP, discrete Laplace), epsilon={table.epsilon:g}; "
            f"accuracy = half-width of a {100 * (1 - (table.alpha or 0.05)):g}% interval."
        )
    hidden = sum(1 for c in table.cells if c.value is None)
    return (
        f"Cells below k={table.k} suppressed, with complementary suppression: "
        f"{hidden} of {len(table.cells)} figures hidden."
    )
