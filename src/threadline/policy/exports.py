"""A published assessment as a PDF (fpdf2; Arabic shaped with HarfBuzz): what the public register shows."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from threadline.core.pdf import Document
from threadline.policy import selectors


def assessment_pdf(*, assessment, language: str) -> bytes:
    with override(language):
        publication = assessment.publication
        doc = Document()
        doc.title(_("Child rights impact assessment: %(title)s") % {"title": assessment.policy.title})
        template = selectors.template_of(assessment)
        doc.line(f"{assessment.organisation.name} · {template.text(template.title, language)} ({template.version})")
        if publication.published_at:
            doc.line(_("Published on %(date)s") % {"date": f"{publication.published_at:%Y-%m-%d}"})
        doc.heading(_("For children and young people"))
        doc.line(publication.child_friendly_summary, size=11, height=6)
        doc.heading(_("Summary"))
        doc.line(publication.summary)
        decision = getattr(assessment, "decision", None)
        if decision:
            doc.heading(_("Decision"))
            doc.line(str(decision.get_outcome_display()), bold=True)
            doc.line(decision.rationale)
        doc.heading(_("Impact on children's rights"))
        for row in selectors.public_impacts(assessment, language):
            doc.line(f"{row['article']} · {row['group']}: {row['rating']}", bold=True)
            doc.line(row["reasoning"])
            if row["mitigation"]:
                doc.line(_("Mitigation: %(text)s") % {"text": row["mitigation"]})
        doc.heading(_("Children consulted"))
        for consultation in assessment.consultations.all():
            doc.line(
                _("%(method)s on %(date)s: %(n)s participants")
                % {
                    "method": consultation.get_method_display(),
                    "date": consultation.held_on.isoformat(),
                    "n": consultation.total_participants,
                },
                bold=True,
            )
            doc.line(consultation.how_it_changed)
        doc.heading(_("Evidence"))
        for item in assessment.evidence.all():
            text = item.citation
            if item.figure_value is not None:
                text += f" — {item.figure_label}: {item.figure_value} ({item.source_id}, {item.source_version})"
            doc.line(text)
        return doc.output()
