"""The evidence and the consultations with children of a draft assessment: citations, figures frozen from a
protected insights release or a published prevention summary, consultations (numbers by age band and sex, never
identities) and the summary returned to the children. A completed stage keeps what completed it."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.policy.models import Assessment, Consultation, EvidenceItem
from threadline.policy.selectors import prevention_frozen, release_total
from threadline.policy.services.common import PolicyError, ensure_editable


@transaction.atomic
def evidence_add_citation(*, assessment: Assessment, user, citation: str, url: str = "", summary: str = ""):
    ensure_editable(assessment)
    if not citation.strip():
        raise PolicyError(_("Give the citation."), "citation")
    return EvidenceItem.objects.create(
        assessment=assessment, citation=citation.strip()[:500], url=url, summary=summary, added_by=user
    )


@transaction.atomic
def evidence_cite_release(*, assessment: Assessment, user, release, summary: str = "") -> EvidenceItem:
    """Cite a published, protected insights release: its figures are frozen here with the release id and the
    dataset version, so the assessment shows the same numbers after the data change or the release is
    withdrawn."""
    ensure_editable(assessment)
    if release.organisation_id != assessment.organisation_id or not release.published:
        raise PolicyError(_("Only a published release of this organisation can be cited."), "release")
    total = release_total(release)
    frozen = {
        "release_id": release.pk,
        "title": release.title,
        "fields": list(release.fields),
        "method": release.method,
        "k": release.k,
        "epsilon": release.epsilon,
        "dataset_version": release.dataset_version,
        "published_at": release.published_at.isoformat() if release.published_at else None,
        "table": release.table,
    }
    return EvidenceItem.objects.create(
        assessment=assessment,
        kind=EvidenceItem.Kind.INSIGHTS_RELEASE,
        citation=str(_("Threadline insights release “%(title)s”")) % {"title": release.title[:300]},
        summary=summary,
        release=release,
        source_id=f"insights-release-{release.pk}",
        source_version=release.dataset_version[:60],
        figure_label=str(_("Total (protected, k=%(k)s)") % {"k": release.k}) if release.k else str(_("Total")),
        figure_value=total,
        frozen=frozen,
        added_by=user,
    )


@transaction.atomic
def evidence_cite_prevention(*, assessment: Assessment, user, summary_item, summary: str = "") -> EvidenceItem:
    """Cite a published prevention summary (pupils reached, by sex and age band, and the change measured by
    the pupils' surveys before and after): its figures, suppressed at k = 11 when published and checked again
    here, are frozen with the summary id and its publication time, so the assessment stays reproducible after
    new sessions or the summary's withdrawal."""
    ensure_editable(assessment)
    if (
        summary_item.organisation_id != assessment.organisation_id
        or summary_item.withdrawn_at is not None
        or summary_item.published_at is None
    ):
        raise PolicyError(_("Only a published prevention summary of this organisation can be cited."), "summary_item")
    frozen = prevention_frozen(summary_item)
    published = summary_item.published_at.isoformat(timespec="seconds")
    return EvidenceItem.objects.create(
        assessment=assessment,
        kind=EvidenceItem.Kind.PREVENTION_SUMMARY,
        citation=str(_("Threadline prevention summary published %(date)s"))
        % {"date": summary_item.published_at.date().isoformat()},
        summary=summary,
        source_id=f"prevention-summary-{summary_item.pk}",
        source_version=published[:60],
        figure_label=str(_("Pupils reached (protected, k=%(k)s)") % {"k": frozen["k"]}),
        figure_value=frozen["pupils_total"],
        frozen=frozen,
        added_by=user,
    )


def _participants(raw: dict) -> dict[str, int]:
    clean = {}
    for band in Consultation.AGE_BANDS:
        for sex in Consultation.SEXES:
            value = int(raw.get(f"{band}:{sex}") or 0)
            if value < 0:
                raise PolicyError(_("Numbers of participants cannot be negative."), "participants")
            if value:
                clean[f"{band}:{sex}"] = value
    if not clean:
        raise PolicyError(_("Give the number of children who took part."), "participants")
    return clean


@transaction.atomic
def consultation_record(
    *,
    assessment: Assessment,
    user,
    method: str,
    held_on: date,
    participants: dict,
    what_they_said: str,
    how_it_changed: str,
) -> Consultation:
    ensure_editable(assessment)
    if not what_they_said.strip() or not how_it_changed.strip():
        raise PolicyError(_("Say what the children said and how it changed the decision."))
    return Consultation.objects.create(
        assessment=assessment,
        method=method,
        held_on=held_on,
        participants=_participants(participants),
        what_they_said=what_they_said,
        how_it_changed=how_it_changed,
        recorded_by=user,
    )


def _keep_one(assessment: Assessment, stage: str, remaining: int) -> None:
    """A completed stage keeps what completed it: its last piece of evidence or consultation stays."""
    if stage in assessment.completed_stages and remaining < 1:
        if stage == "evidence":
            raise PolicyError(_("The evidence stage is complete: it keeps at least one piece of evidence."))
        raise PolicyError(_("The consultation stage is complete: it keeps at least one consultation."))


@transaction.atomic
def evidence_update(
    *, item: EvidenceItem, user, summary: str, citation: str | None = None, url: str | None = None
) -> EvidenceItem:
    """Change a piece of evidence while the assessment is a draft. A citation's text, link and note can change;
    a figure frozen from a release or a prevention summary cannot, only the note on what it shows."""
    ensure_editable(item.assessment)
    if item.kind == EvidenceItem.Kind.CITATION:
        citation = (citation if citation is not None else item.citation).strip()
        if not citation:
            raise PolicyError(_("Give the citation."), "citation")
        item.citation = citation[:500]
        item.url = item.url if url is None else url
    elif (citation is not None and citation.strip() != item.citation) or (url is not None and url != item.url):
        raise PolicyError(_("A frozen figure cannot be changed: only the note on what it shows."))
    item.summary = summary
    item.save()
    audit_object("update", item.assessment, fields=["evidence"], note=f"evidence {item.pk} changed")
    item.assessment.authors.add(user)
    return item


@transaction.atomic
def evidence_delete(*, item: EvidenceItem, user) -> None:
    assessment = item.assessment
    ensure_editable(assessment)
    _keep_one(assessment, "evidence", assessment.evidence.exclude(pk=item.pk).count())
    pk = item.pk
    item.delete()
    audit_object("update", assessment, fields=["evidence"], note=f"evidence {pk} removed")


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    user,
    method: str,
    held_on: date,
    participants: dict,
    what_they_said: str,
    how_it_changed: str,
) -> Consultation:
    """Correct a consultation while the assessment is a draft (numbers by age band and sex, never identities)."""
    ensure_editable(consultation.assessment)
    if method not in Consultation.Method.values:
        raise PolicyError(_("Choose a method."), "method")
    if not what_they_said.strip() or not how_it_changed.strip():
        raise PolicyError(_("Say what the children said and how it changed the decision."))
    consultation.method = method
    consultation.held_on = held_on
    consultation.participants = _participants(participants)
    consultation.what_they_said = what_they_said
    consultation.how_it_changed = how_it_changed
    consultation.save()
    audit_object(
        "update", consultation.assessment, fields=["consultations"], note=f"consultation {consultation.pk} changed"
    )
    consultation.assessment.authors.add(user)
    return consultation


@transaction.atomic
def consultation_delete(*, consultation: Consultation, user) -> None:
    assessment = consultation.assessment
    ensure_editable(assessment)
    _keep_one(assessment, "consultation", assessment.consultations.exclude(pk=consultation.pk).count())
    pk = consultation.pk
    consultation.delete()
    audit_object("update", assessment, fields=["consultations"], note=f"consultation {pk} removed")


@transaction.atomic
def consultation_return_feedback(*, consultation: Consultation, user, feedback_summary: str, returned_on: date):
    """Record the child-friendly summary given back to the children who took part (needed before publication)."""
    if consultation.assessment.status in (Assessment.Status.PUBLISHED, Assessment.Status.SCREENED_OUT):
        raise PolicyError(_("This assessment can no longer be changed."))
    if not feedback_summary.strip():
        raise PolicyError(_("Write the summary that went back to the children."), "feedback_summary")
    consultation.feedback_summary = feedback_summary
    consultation.feedback_returned_on = returned_on
    consultation.save()
    return consultation
