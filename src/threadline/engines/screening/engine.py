"""The rule engine: answers in, an explained screening result out. Deterministic and side-effect free."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import (
    ANSWERS,
    STRENGTHS,
    AnswerError,
    Dimension,
    DimensionResult,
    Instrument,
    Result,
)


def normalise_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, str]:
    """Check ``answers`` against the instrument and return ``{indicator id: answer}`` for every item.

    Answers are ``yes``, ``no``, ``unknown`` or ``declined`` (case and surrounding spaces ignored). An item
    without an answer counts as ``unknown``. Unknown ids or values raise :class:`AnswerError`.
    """
    if not isinstance(answers, Mapping):
        raise AnswerError([f"answers must be a mapping of indicator id to answer, got {type(answers).__name__}"])
    known = {item.id for item in instrument.indicators}
    problems = []
    out = dict.fromkeys((item.id for item in instrument.indicators), "unknown")
    for key, value in answers.items():
        if key not in known:
            problems.append(f"{key!r} is not an indicator of {instrument.id}")
            continue
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in ANSWERS:
            problems.append(f"{key!r}: answer must be one of {', '.join(ANSWERS)}, got {value!r}")
            continue
        out[key] = text
    if problems:
        raise AnswerError(problems)
    return out


def _describe_clause(clause: tuple[tuple[frozenset[str], int], ...]) -> str:
    parts = []
    for strengths, minimum in clause:
        names = " or ".join(s for s in STRENGTHS if s in strengths)
        parts.append(f"{minimum} {names}")
    return " + ".join(parts)


def _dimension_result(instrument: Instrument, dim: Dimension, answers: dict[str, str]) -> DimensionResult:
    found = tuple(i for i in dim.indicators if answers[i.id] == "yes")
    not_known = tuple(i.id for i in dim.indicators if answers[i.id] == "unknown")
    declined = tuple(i.id for i in dim.indicators if answers[i.id] == "declined")
    counts = {s: sum(1 for i in found if i.strength == s) for s in STRENGTHS}
    clauses = dim.rule or instrument.rule.dimension_rule
    by_strength = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    summary = (
        by_strength
        if by_strength and len(found) == sum(counts.values())
        else (f"{len(found)} indicator(s)" if found else "no indicators")
    )
    if clauses is None:
        return DimensionResult(
            dim.id,
            dim.name,
            False,
            found,
            not_known,
            declined,
            counts,
            f"found {summary}; this instrument does not decide dimensions",
        )
    positive = False
    for clause in clauses:
        if all(sum(counts[s] for s in strengths) >= minimum for strengths, minimum in clause):
            positive = True
            reason = f"positive: found {summary}, which meets '{_describe_clause(clause)}'"
            break
    else:
        needed = "; or ".join(_describe_clause(c) for c in clauses)
        reason = f"not positive: found {summary}; needs at least {needed}"
    return DimensionResult(dim.id, dim.name, positive, found, not_known, declined, counts, reason)


class _Context:
    def __init__(self, instrument: Instrument, answers: dict[str, str], dims: dict[str, DimensionResult]):
        self.instrument = instrument
        self.answers = answers
        self.dims = dims
        self.score = sum((i.weight or 0.0) for i in instrument.indicators if answers[i.id] == "yes")

    def holds(self, expr: Any) -> bool:
        if isinstance(expr, str):
            if expr in self.dims:
                return self.dims[expr].positive
            return self.answers[expr] == "yes"
        if "any" in expr:
            return any(self.holds(e) for e in expr["any"])
        if "all" in expr:
            return all(self.holds(e) for e in expr["all"])
        if "at_least" in expr:
            return sum(1 for e in expr["of"] if self.holds(e)) >= expr["at_least"]
        if "found_at_least" in expr:
            scope = expr.get("in")
            if scope is None:
                items = self.instrument.indicators
            else:
                wanted = [scope] if isinstance(scope, str) else scope
                items = tuple(i for d in wanted for i in self.instrument.dimension(d).indicators)
            return sum(1 for i in items if self.answers[i.id] == "yes") >= expr["found_at_least"]
        if "score_at_least" in expr:
            return self.score >= expr["score_at_least"]
        raise ValueError(f"unknown condition {expr!r}")  # unreachable for a validated instrument


def _describe_top(expr: Any, instrument: Instrument) -> str:
    text = _describe(expr, instrument)
    return text[1:-1] if isinstance(expr, dict) and ("any" in expr or "all" in expr) else text


def _describe(expr: Any, instrument: Instrument) -> str:
    if isinstance(expr, str):
        try:
            instrument.dimension(expr)
            return expr
        except KeyError:
            return f"'{expr}' found"
    if "any" in expr:
        return "(" + " OR ".join(_describe(e, instrument) for e in expr["any"]) + ")"
    if "all" in expr:
        return "(" + " AND ".join(_describe(e, instrument) for e in expr["all"]) + ")"
    if "at_least" in expr:
        return f"at least {expr['at_least']} of [" + ", ".join(_describe(e, instrument) for e in expr["of"]) + "]"
    if "found_at_least" in expr:
        scope = expr.get("in")
        where = f" in {scope if isinstance(scope, str) else ', '.join(scope)}" if scope else ""
        return f"at least {expr['found_at_least']} indicator(s) found{where}"
    return f"weighted score at least {expr['score_at_least']:g}"


def _age_rule(instrument: Instrument, is_child: bool | None) -> tuple[str, str]:
    if is_child is True:
        return "child", "under 18 (as given): under-18 rules applied; the means element is not required"
    if is_child is False:
        return "adult", "18 or over (as given): adult rules applied"
    if instrument.population in ("child", "adult"):
        return (
            instrument.population,
            f"age not given: the {instrument.population} rules of this instrument applied",
        )
    if instrument.rule.when_age_unknown == "child":
        return "child", (
            "age not given: under-18 rules applied (where age is uncertain and the person may be a "
            "child, they are presumed to be a child)"
        )
    return "adult", "age not given: adult rules applied, as this instrument specifies"


def evaluate(instrument: Instrument, answers: Mapping[str, Any], *, is_child: bool | None = None) -> Result:
    """Screen one person: per-dimension results, the outcome and its explanation.

    ``answers`` maps indicator ids to ``yes``/``no``/``unknown``/``declined``; only ``yes`` counts as found.
    ``is_child``: True for under 18 (under-18 rules), False for adults, None to use the instrument's
    population (and for an all-ages instrument, ``rule.when_age_unknown``, by default under-18 rules).
    The outcome is ``presumed_victim`` when the instrument's presumption rule holds, else
    ``further_assessment`` when its further-assessment rule holds, else ``no_indicators``.
    """
    normalised = normalise_answers(instrument, answers)
    population, age_basis = _age_rule(instrument, is_child)
    dims = {d.id: _dimension_result(instrument, d, normalised) for d in instrument.dimensions}
    ctx = _Context(instrument, normalised, dims)
    rule = instrument.rule

    explanation: list[str] = [age_basis]
    for d in dims.values():
        if d.found or d.positive:
            explanation.append(f"{d.id}: {d.reason}")
    anchors_found = tuple(a.id for a in instrument.anchors if normalised[a.id] == "yes")
    for anchor_id in anchors_found:
        explanation.append(f"anchor found: {anchor_id} ({instrument.indicator(anchor_id).name})")

    presumption = rule.presumed_victim[population] if rule.presumed_victim else None
    further = rule.further_assessment[population]
    if presumption is not None and ctx.holds(presumption):
        outcome = "presumed_victim"
        explanation.append(f"presumption rule ({population}) met: {_describe_top(presumption, instrument)}")
    elif ctx.holds(further):
        outcome = "further_assessment"
        if presumption is not None:
            explanation.append(f"presumption rule ({population}) not met: {_describe_top(presumption, instrument)}")
        else:
            explanation.append(
                "this instrument is a screen: it can recommend further assessment but cannot "
                "establish reasonable grounds on its own"
            )
        explanation.append(f"further-assessment rule met: {_describe_top(further, instrument)}")
    else:
        outcome = "no_indicators"
        explanation.append(f"further-assessment rule not met: {_describe_top(further, instrument)}")
    if any(i.weight is not None for i in instrument.indicators):
        explanation.append(f"weighted score of the items found: {ctx.score:g}")
    unverified = [
        p
        for p in rule.unverified
        if p
        in (
            "presumed_victim",
            f"presumed_victim.{population}",
            "dimension_rule",
            "further_assessment",
            f"further_assessment.{population}",
        )
    ]
    if unverified:
        explanation.append(
            "note: part of this rule is marked unverified against its published source: " + ", ".join(unverified)
        )
    found = tuple(i.id for i in instrument.indicators if normalised[i.id] == "yes")
    not_known = tuple(i.id for i in instrument.indicators if normalised[i.id] == "unknown")
    declined = tuple(i.id for i in instrument.indicators if normalised[i.id] == "declined")
    if not_known or declined:
        explanation.append(
            f"{len(not_known)} item(s) not known and {len(declined)} declined: they were not counted "
            "as found, so the result could change as more becomes known"
        )
    uses_score = any(i.weight is not None for i in instrument.indicators)
    return Result(
        instrument=instrument,
        outcome=outcome,
        rule_applied=population,
        age_basis=age_basis,
        dimensions=tuple(dims.values()),
        found=found,
        not_known=not_known,
        declined=declined,
        anchors_found=anchors_found,
        score=ctx.score if uses_score else None,
        explanation=tuple(explanation),
    )


__all__ = ["evaluate", "normalise_answers"]
