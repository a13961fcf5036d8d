"""The Convention and the assessment templates as data: the shipped files and the validator's messages."""

from __future__ import annotations

import copy

import pytest

from threadline.engines.policy import (
    STAGE_KINDS,
    DefinitionError,
    get_convention,
    get_template,
    installed_templates,
    load_convention,
    load_template,
)


def _errors(loader, data):
    with pytest.raises(DefinitionError) as exc:
        loader(data, source_name="mine.yaml")
    return [(e.source, e.path, e.message) for e in exc.value.errors]


def test_the_convention_has_54_articles_the_protocol_17_and_four_general_principles():
    c = get_convention()
    crc = [a for a in c.articles.values() if a.instrument == "crc"]
    opsc = [a for a in c.articles.values() if a.instrument == "opsc"]
    assert [a.number for a in crc] == list(range(1, 55))
    assert [a.number for a in opsc] == list(range(1, 18))
    assert [a.key for a in c.general_principles] == ["crc-2", "crc-3", "crc-6", "crc-12"]
    for article in c.articles.values():
        assert set(article.title) == {"en", "fr", "ar"}, article.key
    assert {a.number for a in c.in_cluster("special_protection") if a.instrument == "crc"} >= {32, 33, 34, 35, 36}
    assert c.article("crc-35").label("fr").startswith("35. ")
    assert c.article("opsc-8").label("en").startswith("OPSC 8. ")
    assert any(s["id"] == "crc-reporting-guidelines" for s in c.raw["sources"])


def test_every_shipped_template_has_every_stage_in_order_with_translated_titles_and_a_source():
    templates = installed_templates()
    assert [t.id for t in templates] == [
        "enoc-cfr-2020",
        "nl-kinderrechtentoets",
        "scotland-crwia",
        "unicef-uk-cfc-cria",
    ]
    for t in templates:
        assert tuple(s.kind for s in t.stages) == STAGE_KINDS
        assert t.raw["sources"]
        for stage in t.stages:
            assert set(stage.title) >= {"en", "fr", "ar"}
        impact = t.stage("impact")
        assert {"crc-2", "crc-3", "crc-6", "crc-12", "crc-34", "crc-35", "crc-36"} <= set(impact.focus_articles)
        assert set(impact.groups) == {"girls", "boys", "disability", "migrant_unaccompanied", "in_care"}
        assert t.gate_question.answer == "yes_no"
    assert get_template("scotland-crwia", "2015.1").framework == "Scottish Government CRWIA"


def test_template_errors_name_the_file_the_path_and_the_reason():
    data = copy.deepcopy(get_template("unicef-uk-cfc-cria").raw)
    data["stages"][4]["focus_articles"].append("crc-99")
    data["stages"][1]["questions"][0]["text"] = {"fr": "seulement en français"}
    data["stages"][2]["groups"] = ["girls"]
    data["stages"][0]["questions"][0]["gate"] = False
    errors = _errors(load_template, data)
    assert ("mine.yaml", "stages[4].focus_articles[7]", "no article 'crc-99' in the Convention file") in errors
    assert ("mine.yaml", "stages[1].questions[0].text.en", "missing the 'en' text") in errors
    assert ("mine.yaml", "stages[2].groups", "only the impact stage has groups") in errors
    assert ("mine.yaml", "stages[0].questions", "screening needs exactly one gate question (gate: true)") in errors


def test_stages_out_of_order_or_missing_are_refused():
    data = copy.deepcopy(get_template("enoc-cfr-2020").raw)
    data["stages"][0], data["stages"][1] = data["stages"][1], data["stages"][0]
    assert ("mine.yaml", "stages", "stages must come in this order: " + ", ".join(STAGE_KINDS)) in _errors(
        load_template, data
    )
    del data["stages"][-1]
    assert ("mine.yaml", "stages", "stages missing: monitoring") in _errors(load_template, data)


def test_structural_errors_are_reported_with_their_path():
    data = copy.deepcopy(get_template("enoc-cfr-2020").raw)
    data["stages"][3]["questions"][0]["answer"] = "essay"
    errors = _errors(load_template, data)
    assert any(path == "stages[3].questions[0].answer" for _s, path, _m in errors)


def test_convention_errors_name_missing_articles_and_unknown_clusters():
    data = copy.deepcopy(get_convention().raw)
    del data["instruments"][0]["articles"][9]
    data["instruments"][0]["articles"][0]["clusters"] = ["nowhere"]
    data["instruments"][0]["articles"][2]["title"].pop("ar")
    errors = _errors(load_convention, data)
    assert ("mine.yaml", "instruments[0].articles", "articles missing: 10") in errors
    assert ("mine.yaml", "instruments[0].articles[0].clusters[0]", "no cluster 'nowhere' in 'clusters'") in errors
    assert ("mine.yaml", "instruments[0].articles[2].title.ar", "missing the 'ar' text") in errors


def test_a_file_of_another_kind_and_bad_yaml_are_refused(tmp_path):
    assert _errors(load_template, {"kind": "convention"}) == [
        ("mine.yaml", "kind", "must be 'assessment_template' (found 'convention')")
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        load_template(bad)
    assert "YAML error at line" in exc.value.errors[0].message
