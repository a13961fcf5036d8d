"""Validation of malformed instrument files: errors name the file, the path of the field and the reason."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.screening import (
    InstrumentError,
    get_instrument,
    load_instrument,
    load_instrument_text,
    validate_instrument,
)
from threadline.engines.screening.validation import MAX_FILE_BYTES, format_path, parse_instrument_text


def _errors(data, source="org.yaml"):
    return [(e.path, e.message) for e in validate_instrument(data, source)]


def _paths(data):
    return [p for p, _ in _errors(data)]


def test_valid_synthetic_has_no_errors(synthetic_data):
    assert validate_instrument(synthetic_data, "x") == []


def test_wrong_strength_points_at_the_field(synthetic_data):
    synthetic_data["dimensions"][2]["indicators"][4]["strength"] = "very strong"
    errors = validate_instrument(synthetic_data, "org.yaml")
    assert len(errors) == 1
    err = errors[0]
    assert err.source == "org.yaml"
    assert err.path == "dimensions[2].indicators[4].strength"
    assert "strong, medium, weak" in err.message and "very strong" in err.message
    assert str(err).startswith("org.yaml: dimensions[2].indicators[4].strength: ")


def test_missing_required_fields_point_at_the_missing_field(synthetic_data):
    del synthetic_data["dimensions"][1]["indicators"][0]["question"]
    del synthetic_data["version"]
    assert sorted(_errors(synthetic_data)) == [
        ("dimensions[1].indicators[0].question", "is required"),
        ("version", "is required"),
    ]


def test_unknown_field_is_named(synthetic_data):
    synthetic_data["dimensions"][0]["indicators"][1]["strenght"] = "strong"
    [(path, message)] = _errors(synthetic_data)
    assert path == "dimensions[0].indicators[1].strenght"
    assert message.startswith("unknown field") and "strength" in message


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda d: d.update(version=2009.1), "version", "quotes"),
        (lambda d: d.update(schema_version=2), "schema_version", "must be 1"),
        (lambda d: d.update(id="ILO 2009"), "id", "lower-case"),
        (lambda d: d.update(population="children"), "population", "child, adult, any"),
        (lambda d: d.update(exploitation="slavery"), "exploitation", "must be one of"),
        (lambda d: d.update(exploitation=["labour", "slavery"]), "exploitation[1]", "must be one of"),
        (lambda d: d.update(dimensions=[]), "dimensions", "must not be empty"),
        (lambda d: d["dimensions"][0].update(id="Deceptive"), "dimensions[0].id", "snake_case"),
        (lambda d: d["dimensions"][3].update(indicators=[]), "dimensions[3].indicators", "must not be empty"),
        (
            lambda d: d["dimensions"][0]["indicators"][0].update(name=""),
            "dimensions[0].indicators[0].name",
            "empty",
        ),
        (
            lambda d: d["dimensions"][0]["indicators"][0].update(weight=-1),
            "dimensions[0].indicators[0].weight",
            "at least 0",
        ),
        (lambda d: d["rule"].update(type="vote"), "rule.type", "dimensions, k_of_n, weighted_score"),
        (lambda d: d["rule"].pop("further_assessment"), "rule.further_assessment", "is required"),
        (lambda d: d["rule"].update(unverified=["everything"]), "rule.unverified[0]", "must be one of"),
        (
            lambda d: d["rule"]["dimension_rule"]["positive_when_any_of"][1].update(medium_or_weak=0),
            "rule.dimension_rule.positive_when_any_of[1].medium_or_weak",
            "at least 1",
        ),
        (
            lambda d: d["rule"]["dimension_rule"]["positive_when_any_of"].append({"strongest": 1}),
            "rule.dimension_rule.positive_when_any_of[4]",
            "'strongest'",
        ),
        (lambda d: d.update(translations={"French": {}}), "translations", "'French'"),
        (lambda d: d.update(source={}), "source.citation", "is required"),
    ],
)
def test_structure_errors(synthetic_data, mutate, path, fragment):
    mutate(synthetic_data)
    errors = _errors(synthetic_data)
    assert any(p == path and fragment in m for p, m in errors), errors


def test_duplicate_ids(synthetic_data):
    synthetic_data["dimensions"][4]["indicators"][1]["id"] = "deceptive_recruitment_s0"
    [(path, message)] = _errors(synthetic_data)
    assert path == "dimensions[4].indicators[1].id"
    assert "duplicate id 'deceptive_recruitment_s0'" in message
    assert "dimensions[0].indicators[0].id" in message


def test_overlapping_clause(synthetic_data):
    synthetic_data["rule"]["dimension_rule"]["positive_when_any_of"][0] = {"strong": 1, "strong_or_medium": 1}
    [(path, message)] = _errors(synthetic_data)
    assert path == "rule.dimension_rule.positive_when_any_of[0].strong_or_medium"
    assert "must not overlap" in message


@pytest.mark.parametrize(
    ("expr", "path", "fragment"),
    [
        ("exploitaton", "rule.further_assessment", "'exploitaton' is not the id"),
        ({"any": []}, "rule.further_assessment.any", "non-empty list"),
        ({"all": ["exploitation", "nope"]}, "rule.further_assessment.all[1]", "'nope'"),
        ({"not": "exploitation"}, "rule.further_assessment", "unknown condition"),
        (
            {"at_least": 3, "of": ["exploitation", "coercive_recruitment"]},
            "rule.further_assessment.at_least",
            "1 to 2",
        ),
        ({"found_at_least": 0}, "rule.further_assessment.found_at_least", "at least 1"),
        (
            {"found_at_least": 13, "in": "exploitation"},
            "rule.further_assessment.found_at_least",
            "never be reached",
        ),
        ({"found_at_least": 1, "in": "nowhere"}, "rule.further_assessment.in", "'nowhere'"),
        ({"score_at_least": 0}, "rule.further_assessment.score_at_least", "greater than 0"),
        (7, "rule.further_assessment", "must be text or mapping"),
        ({"adult": "exploitation"}, "rule.further_assessment.child", "per population"),
    ],
)
def test_expression_errors(synthetic_data, expr, path, fragment):
    synthetic_data["rule"]["further_assessment"] = expr
    errors = _errors(synthetic_data)
    assert any(p == path and fragment in m for p, m in errors), errors


def test_presumption_paths_include_population(synthetic_data):
    synthetic_data["rule"]["presumed_victim"]["child"]["all"][0]["any"][2] = "recruitment_abuse"
    assert _paths(synthetic_data) == ["rule.presumed_victim.child.all[0].any[2]"]


def test_score_rule_needs_weights(synthetic_data):
    synthetic_data["rule"]["further_assessment"] = {"score_at_least": 3}
    errors = _errors(synthetic_data)
    assert ("dimensions[0].indicators[0].weight", "is required: the rule uses a weighted score") in errors
    assert len(errors) == len([i for d in synthetic_data["dimensions"] for i in d["indicators"]])


def test_weighted_type_needs_a_score_condition(synthetic_data):
    synthetic_data["rule"]["type"] = "weighted_score"
    for dim in synthetic_data["dimensions"]:
        for ind in dim["indicators"]:
            ind["weight"] = 1
    assert ("rule", "rule.type is 'weighted_score' but no condition uses score_at_least") in _errors(synthetic_data)


def test_dimension_rule_needs_strengths(synthetic_data):
    del synthetic_data["dimensions"][5]["indicators"][2]["strength"]
    assert _errors(synthetic_data) == [
        ("dimensions[5].indicators[2].strength", "is required: this dimension is decided by strengths")
    ]
    del synthetic_data["rule"]["dimension_rule"]
    assert ("rule.dimension_rule", _errors(synthetic_data)[0][1]) in _errors(synthetic_data)


def test_k_of_n_reading_a_dimension_needs_a_dimension_rule():
    data = copy.deepcopy(get_instrument("example-quick-screen").to_dict())
    data["rule"]["further_assessment"] = "quick_screen"
    errors = _errors(data)
    assert ("dimensions[0].rule", errors[0][1]) in errors and "per-dimension rule" in errors[0][1]
    assert any(p.endswith(".strength") for p, _ in errors)


def test_translation_keys_must_exist(synthetic_data):
    synthetic_data["translations"] = {"fr": {"indicator.nope.question": "Non ?", "title": "Titre"}}
    assert _paths(synthetic_data) == ['translations.fr["indicator.nope.question"]']


def test_listed_language_must_be_complete(synthetic_data):
    synthetic_data["languages"] = ["en", "ar"]
    synthetic_data["translations"] = {"ar": {"title": "عنوان"}}
    [(path, message)] = _errors(synthetic_data)
    assert path == "languages[1]"
    assert "'ar' is listed as complete" in message and "have no translation" in message


def test_not_a_mapping():
    assert _errors([1, 2]) == [("", "must be a mapping of fields; got list")]


def test_many_errors_are_all_reported(synthetic_data):
    for dim in synthetic_data["dimensions"]:
        dim["indicators"][0]["strength"] = "huge"
    assert len(_errors(synthetic_data)) == 6


# -- files ---------------------------------------------------------------------------------------------------
def test_load_instrument_file_reports_file_name(tmp_path, synthetic_data):
    synthetic_data["dimensions"][2]["indicators"][4]["strength"] = "maybe"
    path = tmp_path / "org-instrument.json"
    path.write_text(json.dumps(synthetic_data))
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    [err] = info.value.errors
    assert err.source == str(path)
    assert err.path == "dimensions[2].indicators[4].strength"
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("id: x\n  bad: indentation\n", "YAML error at line"),
        ("a: &anchor {b: 1}\nc: *anchor\n", "aliases"),
        ("id: one\nid: two\n", "appears twice"),
        ("- just\n- a list\n", "the file is a list"),
        ("", "the file is empty"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_unparseable_files(text, fragment):
    with pytest.raises(InstrumentError) as info:
        load_instrument_text(text, "upload.yaml")
    [err] = info.value.errors
    assert err.source == "upload.yaml" and err.path == ""
    assert fragment in err.message


def test_oversized_file_is_refused():
    with pytest.raises(InstrumentError, match="larger than"):
        parse_instrument_text(b"#" * (MAX_FILE_BYTES + 1), "big.yaml")


def test_yaml_and_json_round_trip(tmp_path):
    for inst in [get_instrument("ilo-2009-child-sexual"), get_instrument("example-weighted-score")]:
        again = load_instrument(inst.to_dict(), source_name="copy")
        assert again.to_dict() == inst.to_dict()
        assert again.indicators == inst.indicators
        path = tmp_path / f"{inst.id}.json"
        path.write_text(json.dumps(inst.to_dict(), ensure_ascii=False), encoding="utf-8")
        assert load_instrument(path).to_dict() == inst.to_dict()


def test_to_dict_is_a_copy():
    inst = get_instrument("ilo-2009-child-labour")
    data = inst.to_dict()
    data["dimensions"].clear()
    assert inst.to_dict()["dimensions"]


def test_format_path():
    assert format_path(["dimensions", 2, "indicators", 4, "strength"]) == "dimensions[2].indicators[4].strength"
    assert format_path(["translations", "fr", "title"]) == "translations.fr.title"
    assert format_path([]) == ""


# -- robustness: any mutation of a valid file gives errors or a usable instrument, never a crash -----------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 20) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=5,
)


def _nodes(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _nodes(value, (*path, index))


def _set(data, path, value):
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_mutated_files_never_crash_the_validator(data):
    from .conftest import synthetic_instrument

    doc = synthetic_instrument(1, 2, 1)
    doc["translations"] = {"fr": {"title": "Titre"}}
    paths = [p for p in _nodes(doc) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            _set(doc, path, data.draw(JSON_VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    errors = validate_instrument(doc, "fuzz.yaml")
    assert all(e.source == "fuzz.yaml" and isinstance(e.message, str) and e.message for e in errors)
    if not errors:
        from threadline.engines.screening import evaluate

        inst = load_instrument(doc)
        evaluate(inst, {i.id: "yes" for i in inst.indicators})
