"""Curricula and questionnaires as data: the shipped files and the validator's messages (file, path, reason)."""

from __future__ import annotations

import copy

import pytest

from threadline.engines.prevention import (
    DefinitionError,
    get_curriculum,
    get_questionnaire,
    installed_curricula,
    installed_questionnaires,
    load_definition,
)
from threadline.engines.prevention.definitions import UNESCO_KEY_CONCEPTS


def _errors(data, kind=None):
    with pytest.raises(DefinitionError) as exc:
        load_definition(data, source_name="mine.yaml", kind=kind)
    return [(e.source, e.path, e.message) for e in exc.value.errors]


def test_shipped_files_load_and_are_marked_as_examples():
    assert [c.id for c in installed_curricula()] == ["starter-safe-and-equal"]
    assert [q.id for q in installed_questionnaires()] == ["educator-prepost-starter", "pupil-prepost-starter"]
    for d in [*installed_curricula(), *installed_questionnaires()]:
        assert d.status == "example"
        assert set(d.languages) == {"en", "fr", "ar"}
        assert "not validated" in d.raw["status_note"]["en"]


def test_starter_curriculum_covers_the_issue_topics_with_sources():
    c = get_curriculum("starter-safe-and-equal")
    ids = {m["id"] for m in c.modules}
    assert {
        "respect_and_equality",
        "healthy_relationships",
        "consent_and_boundaries",
        "recruitment_offline",
        "safe_online",
        "getting_help",
    } <= ids
    objectives = " ".join(o["text"]["en"] for m in c.modules for o in m["objectives"])
    for topic in ("job", "boyfriend", "online", "private images", "trusted adult", "freely given"):
        assert topic in objectives
    assert {s["id"] for s in c.raw["sources"]} == {"unesco_itgse_2018", "htype"}
    assert all(set(m["key_concepts"]) <= set(UNESCO_KEY_CONCEPTS) for m in c.modules)
    for m in c.modules:
        for o in m["objectives"]:
            assert set(o["text"]) == {"en", "fr", "ar"}
        assert set(m["title"]) == {"en", "fr", "ar"}


def test_questionnaires_have_reverse_items_knowledge_keys_and_scales():
    pupils = get_questionnaire("pupil-prepost-starter")
    assert pupils.audience == "pupils"
    assert {s.id for s in pupils.scales} == {"knowledge", "equitable_attitudes", "help_seeking"}
    assert any(i.reverse for i in pupils.items)
    assert all(i.correct is not None for i in pupils.items if i.kind == "knowledge")
    educators = get_questionnaire("educator-prepost-starter")
    assert educators.audience == "educators"
    assert {s.htype_indicator for s in educators.scales} >= {"educator_confidence_in_protocol"}


def test_missing_translation_is_named_with_its_path():
    data = copy.deepcopy(get_curriculum("starter-safe-and-equal").raw)
    del data["modules"][2]["objectives"][1]["text"]["fr"]
    assert _errors(data) == [("mine.yaml", "modules[2].objectives[1].text.fr", "missing the 'fr' text")]


def test_facilitator_notes_need_only_english():
    data = copy.deepcopy(get_curriculum("starter-safe-and-equal").raw)
    data["modules"][0]["sessions"][0]["facilitator_notes"] = [{"en": "Note.", "fr": "Note."}]
    assert load_definition(data).id == "starter-safe-and-equal"
    data["modules"][0]["sessions"][0]["facilitator_notes"] = [{"fr": "Note."}]
    assert ("mine.yaml", "modules[0].sessions[0].facilitator_notes[0].en", "missing the 'en' text") in _errors(data)


def test_curriculum_meaning_errors():
    data = copy.deepcopy(get_curriculum("starter-safe-and-equal").raw)
    data["modules"][1]["id"] = data["modules"][0]["id"]
    data["modules"][0]["sessions"][0]["objectives"] = ["nope"]
    data["modules"][3]["age_bands"] = ["5-8"]
    errors = _errors(data)
    assert ("mine.yaml", "modules[1].id", "id 'respect_and_equality' is used twice") in errors
    assert ("mine.yaml", "modules[0].sessions[0].objectives[0]", "no objective 'nope' in this module") in errors
    assert ("mine.yaml", "modules[3].age_bands[0]", "age band '5-8' is not in the file's 'age_bands'") in errors


def test_curriculum_structure_errors_come_from_the_schema():
    data = copy.deepcopy(get_curriculum("starter-safe-and-equal").raw)
    data["modules"][0]["key_concepts"] = ["dancing"]
    data["modules"][0]["sessions"][0]["minutes"] = 5
    paths = [p for _, p, _ in _errors(data)]
    assert paths == ["modules[0].key_concepts[0]", "modules[0].sessions[0].minutes"]


def test_questionnaire_meaning_errors():
    data = copy.deepcopy(get_questionnaire("pupil-prepost-starter").raw)
    del data["items"][0]["correct"]
    data["items"][1]["reverse"] = True
    data["items"][5]["correct"] = 3
    data["scales"][0]["items"].append("ghost")
    data["scales"][1]["items"].append("k_consent")
    errors = _errors(data)
    assert ("mine.yaml", "items[0]", "a knowledge item needs a 'correct' answer") in errors
    assert ("mine.yaml", "items[1].reverse", "only agreement items are reversed") in errors
    assert ("mine.yaml", "items[5].correct", "only knowledge items have one") in errors
    assert ("mine.yaml", "scales[0].items[5]", "no item 'ghost'") in errors
    assert ("mine.yaml", "scales[1].items", "a scale cannot mix knowledge and agreement items") in errors


def test_kind_is_checked(tmp_path):
    assert _errors(copy.deepcopy(get_curriculum("starter-safe-and-equal").raw), kind="questionnaire") == [
        ("mine.yaml", "kind", "must be 'questionnaire' (found 'curriculum')")
    ]


def test_yaml_errors_name_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nkind: curriculum\nid: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        load_definition(path)
    (err,) = exc.value.errors
    assert err.source == str(path)
    assert "line 4" in err.message or "line 3" in err.message


def test_a_language_that_is_not_a_string_is_a_problem_not_a_crash():
    data = copy.deepcopy(get_curriculum("starter-safe-and-equal").raw)
    data["languages"][1] = None
    assert _errors(data) == [("mine.yaml", "languages[1]", "None is not of type 'string'")]
