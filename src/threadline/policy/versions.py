"""What changed between two frozen versions of an assessment: stage answers, impact ratings, evidence,
consultations and the decision, read from the versions' snapshots only (never from the live rows).

Each section is a list of rows ``{"label", "before", "after", "change"}`` where ``change`` is "added",
"removed" or "changed"; what did not change is left out. Evidence and consultations are matched by their id when
both snapshots carry one (versions frozen before ids were kept fall back to the citation, or method and date).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from threadline.engines.policy import get_convention
from threadline.policy.models import Assessment, AssessmentVersion, Consultation, Decision, ImpactRating
from threadline.policy.selectors import template_of


def _row(label: str, before: str, after: str) -> dict | None:
    if before == after:
        return None
    change = "added" if not before else "removed" if not after else "changed"
    return {"label": str(label), "before": str(before), "after": str(after), "change": change}


def _compare(labels: dict[Any, str], old: dict[Any, str], new: dict[Any, str]) -> list[dict]:
    rows = []
    for key in [*old, *(k for k in new if k not in old)]:
        row = _row(labels.get(key, str(key)), old.get(key, ""), new.get(key, ""))
        if row:
            rows.append(row)
    return rows


def _questions(assessment: Assessment, language: str) -> dict[str, str]:
    template = template_of(assessment)
    return {q.id: template.text(q.text, language) for stage in template.stages for q in stage.questions}


def _impacts(snapshot: dict, language: str) -> tuple[dict, dict]:
    convention, groups, ratings = get_convention(), dict(ImpactRating.Group.choices), dict(ImpactRating.Rating.choices)
    labels, values = {}, {}
    for i in snapshot.get("impacts", []):
        key = (i["article"], i["group"])
        article = convention.article(i["article"]).label(language) if i["article"] in convention.articles else key[0]
        labels[key] = f"{article} · {groups.get(i['group'], i['group'])}"
        text = f"{ratings.get(i['rating'], i['rating'])}: {i['reasoning']}"
        values[key] = text + (f" ({_('mitigation')}: {i['mitigation']})" if i.get("mitigation") else "")
    return labels, values


def _evidence(snapshot: dict, by_id: bool) -> tuple[dict, dict]:
    labels, values = {}, {}
    for e in snapshot.get("evidence", []):
        key = e["id"] if by_id else (e["kind"], e["source_id"], e["citation"])
        labels[key] = e["citation"]
        figure = "" if e.get("figure") is None else f" — {e['figure']} ({e['source_id']}, {e['source_version']})"
        values[key] = f"{e['citation']}{figure}" + (f" · {e['summary']}" if e.get("summary") else "")
    return labels, values


def _consultations(snapshot: dict, by_id: bool) -> tuple[dict, dict]:
    methods, labels, values = dict(Consultation.Method.choices), {}, {}
    for c in snapshot.get("consultations", []):
        key = c["id"] if by_id else (c["method"], c["held_on"])
        labels[key] = f"{methods.get(c['method'], c['method'])}, {c['held_on']}"
        total = sum(int(v) for v in c.get("participants", {}).values())
        returned = _("child-friendly summary returned") if c.get("feedback_returned") else ""
        values[key] = f"{labels[key]}: {_('participants')} {total}" + (f" · {returned}" if returned else "")
    return labels, values


def _decision(snapshot: dict) -> dict[str, str]:
    d = snapshot.get("decision") or {}
    outcomes = dict(Decision.Outcome.choices)
    return {
        "outcome": str(outcomes.get(d["outcome"], d["outcome"])) if d else "",
        "rationale": d.get("rationale", ""),
        "decided_on": d.get("decided_on", ""),
    }


def _has_ids(*snapshots: dict) -> dict[str, bool]:
    return {
        section: all(all("id" in row for row in s.get(section, [])) for s in snapshots)
        for section in ("evidence", "consultations")
    }


def version_changes(assessment: Assessment, old: AssessmentVersion, new: AssessmentVersion, language: str):
    """The sections that changed from ``old`` to ``new`` (title, rows), in the order of the assessment."""
    a, b = old.snapshot, new.snapshot
    ids = _has_ids(a, b)
    old_impact_labels, old_impacts = _impacts(a, language)
    new_impact_labels, new_impacts = _impacts(b, language)
    old_ev_labels, old_ev = _evidence(a, ids["evidence"])
    new_ev_labels, new_ev = _evidence(b, ids["evidence"])
    old_c_labels, old_c = _consultations(a, ids["consultations"])
    new_c_labels, new_c = _consultations(b, ids["consultations"])
    status = dict(Assessment.Status.choices)
    decision_labels = {"outcome": _("decision"), "rationale": _("reasons"), "decided_on": _("decided on")}
    sections = [
        (
            _("Status"),
            _compare(
                {"status": _("status")},
                {"status": str(status.get(a.get("status"), a.get("status", "")))},
                {"status": str(status.get(b.get("status"), b.get("status", "")))},
            ),
        ),
        (_("Answers"), _compare(_questions(assessment, language), a.get("answers", {}), b.get("answers", {}))),
        (_("Impact on rights"), _compare({**old_impact_labels, **new_impact_labels}, old_impacts, new_impacts)),
        (_("Evidence"), _compare({**old_ev_labels, **new_ev_labels}, old_ev, new_ev)),
        (_("Consultations with children"), _compare({**old_c_labels, **new_c_labels}, old_c, new_c)),
        (_("Decision"), _compare(decision_labels, _decision(a), _decision(b))),
    ]
    return [(title, rows) for title, rows in sections if rows]
