"""Downloads of protected figures: CSV, Excel (openpyxl), SVG and a PDF report (fpdf2).

They are built from the same :class:`ChartData` the page shows, so a download can never carry a figure the
page did not (suppressed cells stay "suppressed"; differentially private figures keep their accuracy).
"""

from __future__ import annotations

import io
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.core.charts import DEJAVU
from threadline.engines import csvsafe
from threadline.insights.dashboards import ChartData
from threadline.insights.protection import Figures

log = logging.getLogger(__name__)


def _cell(point) -> str:
    return point.text


def chart_rows(data: ChartData) -> list[list[str]]:
    header = ["", *data.columns]
    return [header, *[[label, *[_cell(p) for p in points]] for label, points in data.rows]]


def release_csv(release) -> str:
    """A release's protected figures as CSV: one row per cell, with its status and accuracy."""
    figures = Figures.from_payload(release.table)
    buffer = io.StringIO()
    writer = csvsafe.dict_writer(
        buffer, fieldnames=[*figures.by, "count", "status", "accuracy", "confidence"], lineterminator="\n"
    )
    writer.writeheader()
    for row in figures.rows():
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


def chart_csv(data: ChartData) -> str:
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\n")
    header = [_("group"), *data.columns]
    writer.writerow(header + [f"{c} ({_('accuracy')})" for c in data.columns])
    for label, points in data.rows:
        values = [
            "suppressed" if p.value is None else (round(p.value, 1) if p.percent else int(p.value)) for p in points
        ]
        accs = ["" if p.accuracy is None else round(p.accuracy, 2) for p in points]
        writer.writerow([label, *values, *accs])
    if data.refused:
        writer.writerow([data.refused])
    for note in data.notes:
        writer.writerow([f"# {note}"])
    return buffer.getvalue()


def workbook(charts: list[ChartData], *, title: str, protection: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for data in charts:
        ws = wb.create_sheet(data.slug[:31])
        ws.append([data.title])
        ws["A1"].font = Font(bold=True)
        ws.append([protection])
        if data.refused:
            ws.append([data.refused])
            continue
        ws.append([_("group"), *data.columns, *[f"{c} ({_('accuracy')})" for c in data.columns]])
        for label, points in data.rows:
            values = [
                "suppressed" if p.value is None else (round(p.value, 1) if p.percent else int(p.value)) for p in points
            ]
            ws.append([label, *values, *[None if p.accuracy is None else round(p.accuracy, 2) for p in points]])
        for note in data.notes:
            ws.append([note])
    wb.properties.title = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf_report(charts: list[ChartData], *, title: str, organisation: str, protection: str) -> bytes:
    from fpdf import FPDF

    from threadline.core.charts import render_svg

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    if DEJAVU.exists():
        pdf.add_font("body", "", str(DEJAVU))
        bold = DEJAVU.with_name("DejaVuSans-Bold.ttf")
        pdf.add_font("body", "B", str(bold if bold.exists() else DEJAVU))
        font = "body"
    else:  # pragma: no cover - Debian ships DejaVu
        font = "helvetica"

    def text(value: str) -> str:
        return value if font == "body" else value.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(font, size=16)
    pdf.multi_cell(0, 9, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    pdf.multi_cell(0, 5, text(f"{organisation} · {timezone.now():%Y-%m-%d}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, text(protection), new_x="LMARGIN", new_y="NEXT")
    for data in charts:
        pdf.ln(4)
        pdf.set_font(font, size=13)
        pdf.multi_cell(0, 7, text(data.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=9)
        pdf.multi_cell(0, 5, text(data.description), new_x="LMARGIN", new_y="NEXT")
        if data.refused:
            pdf.multi_cell(0, 5, text(data.refused), new_x="LMARGIN", new_y="NEXT")
            continue
        svg = render_svg(data, standalone=True)
        if svg:
            try:
                pdf.image(io.BytesIO(svg.encode()), w=180)
            except Exception as exc:
                log.warning("chart left out of the PDF: %s", type(exc).__name__)
        rows = chart_rows(data)
        with pdf.table(text_align="LEFT", first_row_as_headings=True) as table:
            for row in rows:
                line = table.row()
                for value in row:
                    line.cell(text(str(value)))
        for note in data.notes:
            pdf.multi_cell(0, 4, text(note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
