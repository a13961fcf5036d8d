"""Property tests: more found indicators never lower the outcome; not-known answers never count as found."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from threadline.engines.screening import (
    ANSWERS,
    OUTCOMES,
    evaluate,
    installed_instruments,
    load_instrument,
    validate_instrument,
)

from .conftest import synthetic_instrument

INSTRUMENTS = [*installed_instruments(), load_instrument(synthetic_instrument(2, 3, 3))]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def screening(draw, instruments=INSTRUMENTS):
    inst = draw(st.sampled_from(instruments))
    ids = [i.id for i in inst.indicators]
    answers = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(ANSWERS), max_size=len(ids)))
    is_child = draw(st.sampled_from([None, True, False]))
    return inst, answers, is_child


def _rank(result) -> int:
    return OUTCOMES.index(result.outcome)


@SETTINGS
@given(screening(), st.data())
def test_adding_a_found_indicator_never_lowers_the_outcome(case, data):
    inst, answers, is_child = case
    not_found = [i.id for i in inst.indicators if answers.get(i.id) != "yes"]
    assume(not_found)
    extra = data.draw(st.sampled_from(not_found))
    before = evaluate(inst, answers, is_child=is_child)
    after = evaluate(inst, {**answers, extra: "yes"}, is_child=is_child)
    assert _rank(after) >= _rank(before)
    assert set(after.positive_dimensions) >= set(before.positive_dimensions)
    assert set(after.found) == {*before.found, extra}
    if before.score is not None:
        assert after.score >= before.score


@SETTINGS
@given(screening())
def test_not_known_answers_never_count_as_found(case):
    inst, answers, is_child = case
    base = evaluate(inst, answers, is_child=is_child)
    as_no = {i.id: ("yes" if answers.get(i.id) == "yes" else "no") for i in inst.indicators}
    as_unknown = {k: v for k, v in answers.items() if v == "yes"}  # everything else missing = unknown
    as_declined = {i.id: ("yes" if answers.get(i.id) == "yes" else "declined") for i in inst.indicators}
    for variant in (as_no, as_unknown, as_declined):
        other = evaluate(inst, variant, is_child=is_child)
        assert other.outcome == base.outcome
        assert other.positive_dimensions == base.positive_dimensions
        assert other.found == base.found
        assert other.score == base.score
    assert set(base.found) == {k for k, v in answers.items() if v == "yes"}
    assert not set(base.found) & (set(base.not_known) | set(base.declined))


@SETTINGS
@given(screening())
def test_deterministic_and_order_independent(case):
    inst, answers, is_child = case
    first = evaluate(inst, answers, is_child=is_child).to_dict()
    again = evaluate(inst, dict(reversed(list(answers.items()))), is_child=is_child).to_dict()
    assert first == again
    text = json.dumps(first, ensure_ascii=False)
    assert "not a victim" not in text.lower()


@SETTINGS
@given(screening(instruments=[i for i in INSTRUMENTS if i.id.startswith("ilo-")]))
def test_ilo_no_indicators_exactly_when_nothing_found(case):
    inst, answers, is_child = case
    result = evaluate(inst, answers, is_child=is_child)
    assert (result.outcome == "no_indicators") == (not result.found)
    if result.outcome == "presumed_victim" and not result.anchors_found:
        assert "exploitation" in result.positive_dimensions


# -- arbitrary valid instruments: the engine is monotone for every rule the file format allows ---------------
DIMS = ["d0", "d1", "d2"]
ITEMS = {d: [f"{d}_i{n}" for n in range(3)] for d in DIMS}
ALL_ITEMS = [i for d in DIMS for i in ITEMS[d]]


def _expressions():
    leaves = st.one_of(
        st.sampled_from(DIMS + ALL_ITEMS),
        st.builds(lambda k: {"found_at_least": k}, st.integers(1, len(ALL_ITEMS))),
        st.builds(lambda k, d: {"found_at_least": k, "in": d}, st.integers(1, 3), st.sampled_from(DIMS)),
        st.builds(lambda x: {"score_at_least": x}, st.integers(1, 12)),
    )

    def extend(children):
        lists = st.lists(children, min_size=1, max_size=3)
        return st.one_of(
            st.builds(lambda xs: {"any": xs}, lists),
            st.builds(lambda xs: {"all": xs}, lists),
            st.builds(lambda xs, k: {"at_least": min(k, len(xs)), "of": xs}, lists, st.integers(1, 3)),
        )

    return st.recursive(leaves, extend, max_leaves=6)


EXPRESSIONS = _expressions()


CLAUSE_KEYS = ["strong", "medium", "weak", "medium_or_weak", "strong_or_medium", "any"]


@st.composite
def clauses(draw):
    out = []
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(CLAUSE_KEYS))
        out.append({key: draw(st.integers(1, 3))})
    return {"positive_when_any_of": out}


@st.composite
def random_instrument(draw):
    dims = [
        {
            "id": d,
            "name": d,
            "indicators": [
                {
                    "id": i,
                    "name": i,
                    "question": f"{i}?",
                    "strength": draw(st.sampled_from(["strong", "medium", "weak"])),
                    "weight": draw(st.integers(0, 4)),
                }
                for i in ITEMS[d]
            ],
        }
        for d in DIMS
    ]
    data = {
        "schema_version": 1,
        "id": "random-instrument",
        "version": "1",
        "title": "random",
        "source": {"citation": "generated"},
        "population": "any",
        "exploitation": "any",
        "rule": {
            "type": "dimensions",
            "dimension_rule": draw(clauses()),
            "presumed_victim": {"adult": draw(EXPRESSIONS), "child": draw(EXPRESSIONS)},
            "further_assessment": draw(EXPRESSIONS),
        },
        "dimensions": dims,
    }
    errors = validate_instrument(data, "generated")
    assume(not errors)
    return load_instrument(data)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(random_instrument(), st.data())
def test_monotone_for_any_valid_instrument(inst, data):
    answers = data.draw(st.dictionaries(st.sampled_from(ALL_ITEMS), st.sampled_from(ANSWERS)))
    is_child = data.draw(st.sampled_from([None, True, False]))
    extra = data.draw(st.sampled_from(ALL_ITEMS))
    before = evaluate(inst, answers, is_child=is_child)
    after = evaluate(inst, {**answers, extra: "yes"}, is_child=is_child)
    assert _rank(after) >= _rank(before)
    # unknown and declined are the same as no
    as_no = {k: ("no" if v != "yes" else v) for k, v in answers.items()}
    assert evaluate(inst, as_no, is_child=is_child).outcome == before.outcome
