"""Table-driven tests of the published ILO/EC 2009 rule: per-dimension thresholds and combination rules."""

from __future__ import annotations

import itertools

import pytest

from threadline.engines.screening import evaluate, get_instrument

from .conftest import ILO_DIMENSIONS

# (strong, medium, weak found in one dimension) -> positive?
# ILO/EC 2009: at least 2 strong; or 1 strong + 1 medium or weak; or 3 medium; or 2 medium + 1 weak.
THRESHOLD_TABLE = [
    ((0, 0, 0), False),
    ((1, 0, 0), False),  # one strong alone is not enough
    ((2, 0, 0), True),  # 2 strong
    ((3, 0, 0), True),
    ((1, 1, 0), True),  # 1 strong + 1 medium
    ((1, 0, 1), True),  # 1 strong + 1 weak
    ((1, 2, 3), True),
    ((0, 1, 0), False),
    ((0, 2, 0), False),  # 2 medium alone is not enough
    ((0, 3, 0), True),  # 3 medium
    ((0, 4, 0), True),
    ((0, 2, 1), True),  # 2 medium + 1 weak
    ((0, 2, 4), True),
    ((0, 1, 1), False),
    ((0, 1, 2), False),  # 1 medium + 2 weak is not enough
    ((0, 1, 4), False),
    ((0, 0, 1), False),
    ((0, 0, 3), False),  # weak alone never makes a dimension positive
    ((0, 0, 5), False),
]


def _answers_for(dim: str, strong: int, medium: int, weak: int) -> dict[str, str]:
    answers = {}
    for level, count in (("s", strong), ("m", medium), ("w", weak)):
        for n in range(count):
            answers[f"{dim}_{level}{n}"] = "yes"
    return answers


@pytest.mark.parametrize(("counts", "positive"), THRESHOLD_TABLE, ids=lambda v: str(v))
@pytest.mark.parametrize("dim", ILO_DIMENSIONS)
def test_per_dimension_threshold(synthetic, dim, counts, positive):
    result = evaluate(synthetic, _answers_for(dim, *counts), is_child=False)
    by_id = {d.id: d for d in result.dimensions}
    assert by_id[dim].positive is positive
    assert [d.id for d in result.dimensions if d.positive] == ([dim] if positive else [])
    assert len(by_id[dim].found) == sum(counts)


def _reference_positive(strong: int, medium: int, weak: int) -> bool:
    return strong >= 2 or (strong >= 1 and medium + weak >= 1) or medium >= 3 or (medium >= 2 and weak >= 1)


def test_per_dimension_threshold_exhaustive(synthetic):
    """Every combination of 0-3 strong, medium and weak indicators in one dimension."""
    for counts in itertools.product(range(4), range(4), range(4)):
        result = evaluate(synthetic, _answers_for("exploitation", *counts), is_child=False)
        by_id = {d.id: d for d in result.dimensions}
        assert by_id["exploitation"].positive is _reference_positive(*counts), counts


# Which dimensions are positive -> outcome, for adults and children.
def _adult(pos: set[str]) -> bool:
    d = [x in pos for x in ILO_DIMENSIONS]
    return (d[0] or d[1] or d[2]) and d[3] and (d[4] or d[5])


def _child(pos: set[str]) -> bool:
    d = [x in pos for x in ILO_DIMENSIONS]
    return (d[0] or d[1] or d[2]) and d[3]


SUBSETS = [set(c) for r in range(7) for c in itertools.combinations(ILO_DIMENSIONS, r)]


@pytest.mark.parametrize("positive", SUBSETS, ids=lambda s: "+".join(sorted(x[:8] for x in s)) or "none")
def test_combination_rule_synthetic(synthetic, positive):
    answers: dict[str, str] = {}
    for dim in positive:
        answers.update(_answers_for(dim, 2, 0, 0))
    for is_child, expected_rule in ((False, _adult), (True, _child)):
        result = evaluate(synthetic, answers, is_child=is_child)
        assert set(result.positive_dimensions) == positive
        if expected_rule(positive):
            assert result.outcome == "presumed_victim"
        elif positive:
            assert result.outcome == "further_assessment"
        else:
            assert result.outcome == "no_indicators"


# Published table for the shipped ILO files: two indicators that make each dimension positive.
def _make_positive(instrument, dim_id: str) -> dict[str, str]:
    dim = instrument.dimension(dim_id)
    strong = [i.id for i in dim.indicators if i.strength == "strong"]
    medium = [i.id for i in dim.indicators if i.strength == "medium"]
    chosen = strong[:2] if len(strong) >= 2 else strong[:1] + medium[: 3 - 2 * len(strong[:1])]
    return dict.fromkeys(chosen, "yes")


ILO_IDS = ["ilo-2009-child-labour", "ilo-2009-child-sexual", "ilo-2009-adult-labour", "ilo-2009-adult-sexual"]


@pytest.mark.parametrize("instrument_id", ILO_IDS)
def test_combination_rule_shipped(instrument_id):
    """All 64 combinations of positive dimensions, with the shipped files' own indicators."""
    inst = get_instrument(instrument_id)
    for positive in SUBSETS:
        answers: dict[str, str] = {}
        for dim in positive:
            answers.update(_make_positive(inst, dim))
        for is_child, rule in ((False, _adult), (True, _child)):
            result = evaluate(inst, answers, is_child=is_child)
            assert set(result.positive_dimensions) == positive, result.explanation
            expected = "presumed_victim" if rule(positive) else ("further_assessment" if positive else "no_indicators")
            assert result.outcome == expected, (sorted(positive), is_child)
            assert result.rule_applied == ("child" if is_child else "adult")


@pytest.mark.parametrize("instrument_id", ILO_IDS)
def test_single_indicator_gives_further_assessment(instrument_id):
    inst = get_instrument(instrument_id)
    for item in inst.indicators:
        if item.dimension_id is None:
            continue
        result = evaluate(inst, {item.id: "yes"})
        assert result.outcome == "further_assessment", item.id
        assert result.found == (item.id,)


def test_population_default_from_instrument():
    child = get_instrument("ilo-2009-child-labour")
    adult = get_instrument("ilo-2009-adult-labour")
    assert evaluate(child, {}).rule_applied == "child"
    assert evaluate(adult, {}).rule_applied == "adult"
    assert evaluate(child, {}, is_child=False).rule_applied == "adult"
    assert evaluate(adult, {}, is_child=True).rule_applied == "child"


def test_age_unknown_on_all_ages_instrument_uses_child_rules(synthetic):
    answers = {**_answers_for("deceptive_recruitment", 2, 0, 0), **_answers_for("exploitation", 2, 0, 0)}
    result = evaluate(synthetic, answers)
    assert result.rule_applied == "child"
    assert result.outcome == "presumed_victim"
    assert "presumed to be a child" in result.age_basis
    assert evaluate(synthetic, answers, is_child=False).outcome == "further_assessment"


def test_age_unknown_can_be_set_to_adult(synthetic_data):
    from threadline.engines.screening import load_instrument

    synthetic_data["rule"]["when_age_unknown"] = "adult"
    assert evaluate(load_instrument(synthetic_data), {}).rule_applied == "adult"


@pytest.mark.parametrize("instrument_id", ["ilo-2009-child-labour", "ilo-2009-child-sexual"])
def test_child_in_commercial_sexual_exploitation_is_presumed_victim(instrument_id):
    inst = get_instrument(instrument_id)
    result = evaluate(inst, {"child_commercial_sexual_exploitation": "yes"})
    assert result.outcome == "presumed_victim"
    assert result.anchors_found == ("child_commercial_sexual_exploitation",)
    assert result.positive_dimensions == ()  # no means and no dimension needed
    # The anchor is a child rule: for a person stated to be 18 or over it is one indicator among others.
    assert evaluate(inst, {"child_commercial_sexual_exploitation": "yes"}, is_child=False).outcome == (
        "further_assessment"
    )
    assert evaluate(inst, {"child_commercial_sexual_exploitation": "declined"}).outcome == "no_indicators"


def test_means_not_required_for_children():
    inst = get_instrument("ilo-2009-child-labour")
    answers = {
        "deceived_job_location_employer": "yes",
        "deceived_wages": "yes",
        "excessive_hours": "yes",
        "low_or_no_pay": "yes",
    }
    child = evaluate(inst, answers)
    adult = evaluate(inst, answers, is_child=False)
    assert child.outcome == "presumed_victim"
    assert adult.outcome == "further_assessment"  # adults also need coercion or abuse of vulnerability
    assert any("unverified" in line for line in child.explanation)


def test_child_sexual_strengths_differ_from_labour():
    labour = get_instrument("ilo-2009-child-labour")
    sexual = get_instrument("ilo-2009-child-sexual")
    for item_id in ("forced_tasks_or_clients", "hazardous_work"):
        assert sexual.indicator(item_id).strength == "strong"
    assert labour.indicator("hazardous_work").strength == "medium"
    # hazardous work + one more medium makes exploitation positive in the sexual list only
    answers = {"hazardous_work": "yes", "low_or_no_pay": "yes"}
    assert "exploitation" in evaluate(sexual, answers).positive_dimensions
    assert "exploitation" not in evaluate(labour, answers).positive_dimensions


def test_explanation_names_the_clause_and_indicators():
    inst = get_instrument("ilo-2009-adult-labour")
    result = evaluate(inst, {"excessive_hours": "yes", "wage_manipulation": "yes"})
    exploitation = next(d for d in result.to_dict()["dimensions"] if d["id"] == "exploitation")
    assert exploitation["positive"] is True
    assert exploitation["indicators"] == [
        {"id": "excessive_hours", "strength": "strong"},
        {"id": "wage_manipulation", "strength": "medium"},
    ]
    assert "1 strong + 1 medium or weak" in exploitation["reason"]
    assert result.outcome == "further_assessment"
    assert any("presumption rule (adult) not met" in line for line in result.explanation)
