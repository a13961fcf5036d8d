"""Scoring one respondent's answers, as the analysis scores a table row (for running totals kept by the web
app): every answer is checked against its item's options, agreement items are reversed where asked, a
knowledge item scores 1 when correct and 0 otherwise, and a scale is the mean of its answered items when at
least ``min_answered`` of them were answered.
"""

from __future__ import annotations

from .definitions import Questionnaire


def answer_problems(questionnaire: Questionnaire, answers: dict[str, str]) -> dict[str, str]:
    """Item id -> reason, for every answer that is not one of its item's options (empty answers are fine)."""
    problems: dict[str, str] = {}
    known = {item.id for item in questionnaire.items}
    for key in answers:
        if key not in known:
            problems[key] = "is not an item of this questionnaire"
    for item in questionnaire.items:
        value = str(answers.get(item.id) or "").strip()
        if not value:
            continue
        options = [str(v) for v in item.options]
        found = value.lower() in [o.lower() for o in options] if item.kind == "knowledge" else value in options
        if not found:
            problems[item.id] = f"must be one of {', '.join(options)} or empty"
    return problems


def item_score(questionnaire: Questionnaire, item_id: str, value: str | None) -> float | None:
    item = questionnaire.item(item_id)
    value = str(value or "").strip()
    if not value:
        return None
    if item.kind == "agreement":
        try:
            number = float(int(value))
        except ValueError:
            return None
        if int(number) not in item.options:
            return None
        return item.low + item.high - number if item.reverse else number
    options = [str(v).lower() for v in item.options]
    if value.lower() not in options:
        return None
    return 1.0 if value.lower() == str(item.correct).lower() else 0.0


def scale_scores(questionnaire: Questionnaire, answers: dict[str, str]) -> dict[str, float | None]:
    """Scale id -> score (None when too few of its items were answered)."""
    out: dict[str, float | None] = {}
    for scale in questionnaire.scales:
        values = [item_score(questionnaire, i, answers.get(i)) for i in scale.items]
        given = [v for v in values if v is not None]
        enough = given and len(given) >= scale.min_answered * len(scale.items)
        out[scale.id] = sum(given) / len(given) if enough else None
    return out
