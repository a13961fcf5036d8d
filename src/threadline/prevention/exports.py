"""The prevention files people download: the HTYPE-shaped indicator sheet (CSV or Excel, suppressed figures
empty and flagged) and a loaded curriculum's JSON. Views name and audit them; this module only writes bytes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from threadline.prevention.selectors import HTYPE_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTYPE_FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def _csv_safe(value):
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def htype_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HTYPE_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    return out.getvalue()


def htype_xlsx(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "HTYPE indicators"
    sheet.append(HTYPE_COLUMNS)
    for row in rows:
        sheet.append([_csv_safe(row[c]) for c in HTYPE_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def htype_file(rows: list[dict[str, Any]], fmt: str) -> tuple[str | bytes, str]:
    """The sheet as ``fmt`` (a key of ``HTYPE_FORMATS``) and its content type."""
    body = htype_csv(rows) if fmt == "csv" else htype_xlsx(rows)
    return body, HTYPE_FORMATS[fmt]


def curriculum_json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2)
