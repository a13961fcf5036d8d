"""The screening result as a PDF to print or keep (fpdf2; Arabic shaped with HarfBuzz).

It carries what the result page shows: outcome, why (dimensions and indicators found), the rule's caveat, the
safety answers and the referral contacts. Never the worker's notes (they may identify the person) nor answers
one by one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.core.pdf import Document
from threadline.engines.screening import outcome_label
from threadline.screening import selectors
from threadline.screening.labels import SAFETY_LABELS


def result_pdf(*, screening, instrument, language: str, organisation: str, contacts=()) -> bytes:
    doc = Document()
    doc.title(_("Screening %(reference)s") % {"reference": screening.reference})
    title = instrument.text("title", language) if instrument else screening.instrument_id
    doc.line(f"{organisation} · {title} ({screening.instrument_version})")
    done = screening.completed_at or screening.created_at
    doc.line(
        _("Completed on %(date)s · printed on %(now)s")
        % {"date": f"{done:%Y-%m-%d}", "now": f"{timezone.now():%Y-%m-%d}"}
    )
    doc.heading(_("Result"))
    doc.line(str(outcome_label(screening.outcome, language)), size=12, bold=True, height=6)
    doc.line(
        _(
            "This is a screening indicator for review by a trained person, not a determination. It reflects only "
            "what was known and shared at the time; help must never depend on it alone."
        ),
        size=9,
    )
    doc.heading(_("Why"))
    for dim in selectors.result_explanation(screening, instrument, language):
        if dim["positive"]:
            state = _("positive")
        else:
            state = _("indicators found, not positive") if dim["indicators"] else _("no indicators found")
        doc.line(f"{dim['name']}: {state}", bold=True)
        for indicator in dim["indicators"]:
            doc.line(f"  - {indicator['name']}")
    if screening.safety:
        doc.heading(_("Immediate safety"))
        for key, question in selectors.SAFETY_QUESTIONS:
            if key in screening.safety:
                doc.line(f"{question} {SAFETY_LABELS.get(screening.safety[key], screening.safety[key])}")
    if contacts:
        doc.heading(_("Referral contacts"))
        for contact in contacts:
            details = " · ".join(v for v in (contact.phone, contact.email, contact.hours) if v)
            doc.line(f"{contact.name}: {details}" if details else contact.name)
    return doc.output()
