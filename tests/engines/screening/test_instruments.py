"""The shipped instruments, the text API, answers handling and the outcome wording."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from threadline.engines.screening import (
    OUTCOME_LABELS,
    AnswerError,
    UnknownInstrument,
    evaluate,
    get_instrument,
    installed_instruments,
    outcome_label,
)

from .conftest import ILO_DIMENSIONS

ILO = ["ilo-2009-child-labour", "ilo-2009-child-sexual", "ilo-2009-adult-labour", "ilo-2009-adult-sexual"]


def test_installed_ids():
    ids = [i.id for i in installed_instruments()]
    assert ids == sorted(ids)
    assert set(ILO) | {"example-quick-screen", "example-weighted-score"} <= set(ids)
    with pytest.raises(UnknownInstrument):
        get_instrument("no-such-instrument")


@pytest.mark.parametrize("instrument_id", ILO)
def test_ilo_structure(instrument_id):
    inst = get_instrument(instrument_id)
    assert [d.id for d in inst.dimensions] == list(ILO_DIMENSIONS)
    assert inst.rule.type == "dimensions"
    assert inst.status == "published"
    assert inst.source["verified"] is False and "WCMS_105023" in inst.source["citation"]
    assert "presumed_victim.child" in inst.rule.unverified
    assert inst.gaps, "every ILO file states what is missing or unverified"
    assert {"en", "fr", "ar"} <= set(inst.languages)  # the validator checks these are complete
    assert inst.population == instrument_id.split("-")[2]
    assert inst.exploitation == ({"labour": "labour", "sexual": "sexual"}[instrument_id.split("-")[3]],)


# (strong, medium) per dimension in the child labour list, from the reference transcription.
CHILD_LABOUR_COUNTS = {
    "deceptive_recruitment": (2, 8),
    "coercive_recruitment": (4, 6),
    "recruitment_abuse_of_vulnerability": (0, 15),
    "exploitation": (1, 7),
    "coercion_at_destination": (8, 7),
    "abuse_of_vulnerability_at_destination": (0, 7),
}


def _strength_counts(inst):
    return {
        d.id: (
            sum(i.strength == "strong" for i in d.indicators),
            sum(i.strength == "medium" for i in d.indicators),
        )
        for d in inst.dimensions
    }


def test_child_labour_list_matches_reference():
    inst = get_instrument("ilo-2009-child-labour")
    assert _strength_counts(inst) == CHILD_LABOUR_COUNTS
    assert not any(i.strength == "weak" for i in inst.indicators)
    names = {i.name for i in inst.indicators}
    for name in (
        "Deceived about the nature of the job, location or employer",
        "Debt bondage",
        "Excessive working days or hours",
        "Forced tasks or clients",
        "Dependency on exploiters",
        "Promises of marriage or adoption",
    ):
        assert name in names


def test_sexual_lists_reuse_child_labour_names_with_a_note():
    labour = get_instrument("ilo-2009-child-labour")
    for instrument_id in ("ilo-2009-child-sexual", "ilo-2009-adult-sexual"):
        sexual = get_instrument(instrument_id)
        counts = dict(CHILD_LABOUR_COUNTS)
        counts["exploitation"] = (2, 6)  # hazardous work is strong
        counts["coercion_at_destination"] = (8, 7)  # forced tasks or clients already strong
        assert _strength_counts(sexual) == counts
        assert [i.name for i in sexual.indicators if i.dimension_id] == [
            i.name for i in labour.indicators if i.dimension_id
        ]
        assert all("name_source" in ind for d in sexual.to_dict()["dimensions"] for ind in d["indicators"])


def test_adult_labour_gaps_are_marked_not_invented():
    inst = get_instrument("ilo-2009-adult-labour")
    gaps = " ".join(inst.gaps)
    assert "67" in gaps and "10 / 10 / 16 / 9 / 15 / 7" in gaps
    assert len(inst.indicators) == 65  # the two unnamed indicators are not invented
    assert [len(d.indicators) for d in inst.dimensions] == [10, 10, 15, 8, 15, 7]


def test_anchor_only_in_child_lists():
    assert [a.id for a in get_instrument("ilo-2009-child-sexual").anchors] == ["child_commercial_sexual_exploitation"]
    assert [a.id for a in get_instrument("ilo-2009-child-labour").anchors] == ["child_commercial_sexual_exploitation"]
    assert get_instrument("ilo-2009-adult-sexual").anchors == ()


@pytest.mark.parametrize("instrument_id", ["example-quick-screen", "example-weighted-score"])
def test_examples_are_labelled_and_never_presume(instrument_id):
    inst = get_instrument(instrument_id)
    assert inst.status == "example"
    assert inst.title.startswith("Example") and "not validated" in inst.title
    assert inst.rule.presumed_victim is None
    everything = {i.id: "yes" for i in inst.indicators}
    assert evaluate(inst, everything).outcome == "further_assessment"
    assert evaluate(inst, {}).outcome == "no_indicators"


def test_quick_screen_k_of_n():
    inst = get_instrument("example-quick-screen")
    ids = [i.id for i in inst.indicators]
    assert evaluate(inst, {ids[0]: "yes"}).outcome == "no_indicators"
    assert evaluate(inst, {ids[0]: "yes", ids[5]: "yes"}).outcome == "further_assessment"
    assert evaluate(inst, {ids[0]: "yes", ids[5]: "unknown", ids[3]: "declined"}).outcome == "no_indicators"


def test_weighted_score():
    inst = get_instrument("example-weighted-score")
    assert evaluate(inst, {"movement_restricted": "yes"}).score == 3
    assert evaluate(inst, {"movement_restricted": "yes"}).outcome == "no_indicators"
    result = evaluate(inst, {"movement_restricted": "yes", "unsafe_place": "yes"})
    assert result.score == 4 and result.outcome == "further_assessment"


@pytest.mark.parametrize("inst", installed_instruments(), ids=lambda i: i.id)
def test_never_worded_not_a_victim(inst):
    text = json.dumps(inst.to_dict(), ensure_ascii=False).lower()
    for phrase in ("not a victim", "no victim", "pas une victime", "pas victime", "ليس ضحية", "no es víctima"):
        assert phrase not in text


def test_outcome_labels():
    assert OUTCOME_LABELS == {
        "presumed_victim": "presumed victim — reasonable grounds",
        "further_assessment": "indicators present — further assessment recommended",
        "no_indicators": "no indicators identified at this time",
    }
    assert outcome_label("no_indicators", "fr") == "aucun indicateur identifié à ce stade"
    assert outcome_label("no_indicators", "xx") == OUTCOME_LABELS["no_indicators"]
    for label in OUTCOME_LABELS.values():
        assert "not" not in label.split()


def test_text_translations_and_fallback():
    inst = get_instrument("ilo-2009-child-labour")
    key = "indicator.excessive_hours.question"
    assert inst.text(key) == inst.indicator("excessive_hours").question
    assert inst.text(key, "fr").startswith("Travaillez-vous")
    assert inst.text(key, "ar") != inst.text(key)
    assert inst.text(key, "es") == inst.text(key)  # not translated: English
    assert inst.text(key, "zz") == inst.text(key)
    assert inst.text("dimension.exploitation.name", "es") == "Condiciones de explotación"
    with pytest.raises(KeyError):
        inst.text("indicator.nope.question")
    for lang in ("fr", "ar"):
        for key in inst.text_keys():
            if key.endswith((".name", ".question")) or key == "title":
                assert inst.text(key, lang) != inst.text(key, "en") or key.endswith(".name"), (lang, key)


def test_answers_are_checked():
    inst = get_instrument("ilo-2009-child-labour")
    assert evaluate(inst, {"excessive_hours": " YES "}).found == ("excessive_hours",)
    with pytest.raises(AnswerError) as info:
        evaluate(inst, {"excesive_hours": "yes", "low_or_no_pay": "maybe", "wage_manipulation": True})
    assert len(info.value.problems) == 3
    assert "'excesive_hours' is not an indicator" in info.value.problems[0]
    with pytest.raises(AnswerError):
        evaluate(inst, ["excessive_hours"])  # type: ignore[arg-type]


def test_result_to_dict_is_json():
    inst = get_instrument("ilo-2009-child-labour")
    result = evaluate(inst, {"excessive_hours": "yes", "low_or_no_pay": "declined"}, is_child=True)
    data = json.loads(json.dumps(result.to_dict("ar"), ensure_ascii=False))
    assert data["outcome"] == "further_assessment"
    assert data["outcome_label"] == outcome_label("further_assessment", "ar")
    assert data["declined"] == ["low_or_no_pay"]
    assert "low_or_no_pay" not in data["found"]
    assert data["instrument"] == {"id": inst.id, "version": inst.version, "status": "published"}
    assert data["disclaimer"]
    assert [d["id"] for d in data["dimensions"]] == list(ILO_DIMENSIONS)


def test_engine_and_cli_never_import_django():
    code = (
        "import sys, threadline.engines.screening as s, threadline.cli.screen; "
        "s.evaluate(s.get_instrument('ilo-2009-child-sexual'), {}); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
