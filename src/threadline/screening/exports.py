"""The screening result as a PDF to print or keep (fpdf2; Arabic shaped with HarfBuzz).

It carries what the result page shows: outcome, why (dimensions and indicators found), the rule's caveat, the
safety answers and the referral contacts. Never the worker's notes (they may identify the person) nor answers
one by one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.engines.screening import outcome_label
from threadline.screening import selectors
from threadline.screening.labels import SAFETY_LABELS

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _pdf():
    from pathlib import Path

    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    regular = Path(DEJAVU)
    if regular.exists():
        bold = regular.with_name("DejaVuSans-Bold.ttf")
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold if bold.exists() else regular))
        pdf.set_font("body", size=10)
        pdf.set_text_shaping(True)  # HarfBuzz (uharfbuzz): Arabic letters joined and ordered right to left
    else:  # pragma: no cover - Debian ships DejaVu
        pdf.set_font("helvetica", size=10)
    return pdf


def result_pdf(*, screening, instrument, language: str, organisation: str, contacts=()) -> bytes:
    pdf = _pdf()
    font = pdf.font_family

    def line(text: str, size: int = 10, style: str = "", height: float = 5) -> None:
        pdf.set_font(font, style=style if font == "body" else "", size=size)
        if font != "body":
            text = text.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    line(_("Screening %(reference)s") % {"reference": screening.reference}, size=16, style="B", height=8)
    title = instrument.text("title", language) if instrument else screening.instrument_id
    line(f"{organisation} · {title} ({screening.instrument_version})")
    done = screening.completed_at or screening.created_at
    line(
        _("Completed on %(date)s · printed on %(now)s")
        % {"date": f"{done:%Y-%m-%d}", "now": f"{timezone.now():%Y-%m-%d}"}
    )
    pdf.ln(3)
    line(_("Result"), size=13, style="B", height=7)
    line(str(outcome_label(screening.outcome, language)), size=12, style="B", height=6)
    line(
        _(
            "This is a screening indicator for review by a trained person, not a determination. It reflects only "
            "what was known and shared at the time; help must never depend on it alone."
        ),
        size=9,
    )
    pdf.ln(3)
    line(_("Why"), size=13, style="B", height=7)
    for dim in selectors.result_explanation(screening, instrument, language):
        state = (
            _("positive")
            if dim["positive"]
            else (_("indicators found, not positive") if dim["indicators"] else _("no indicators found"))
        )
        line(f"{dim['name']}: {state}", style="B")
        for indicator in dim["indicators"]:
            line(f"  - {indicator['name']}")
    if screening.safety:
        pdf.ln(3)
        line(_("Immediate safety"), size=13, style="B", height=7)
        for key, question in selectors.SAFETY_QUESTIONS:
            if key in screening.safety:
                line(f"{question} {SAFETY_LABELS.get(screening.safety[key], screening.safety[key])}")
    if contacts:
        pdf.ln(3)
        line(_("Referral contacts"), size=13, style="B", height=7)
        for contact in contacts:
            details = " · ".join(v for v in (contact.phone, contact.email, contact.hours) if v)
            line(f"{contact.name}: {details}" if details else contact.name)
    return bytes(pdf.output())
