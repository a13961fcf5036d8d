"""Screening rule engine: published and organisation instruments as data, evaluated into explained results.

Pure Python (never imports Django) and deterministic. Every result is an indicator for review by a trained
person, never a verdict; no outcome says that a person is "not a victim".

Public API (stable; the Django screening app calls only these)::

    load_instrument(path_or_dict: str | Path | dict, *, source_name: str | None = None) -> Instrument
    load_instrument_text(text: str | bytes, source_name: str) -> Instrument      # uploaded file content
    installed_instruments() -> list[Instrument]                                   # shipped, sorted by id
    get_instrument(instrument_id: str) -> Instrument                              # raises UnknownInstrument
    validate_instrument(data: Any, source_name: str = "<instrument>") -> list[ValidationError]
    parse_instrument_text(text: str | bytes, source_name: str) -> dict           # raises InstrumentError
    format_path(["dimensions", 2, "name"]) -> "dimensions[2].name"              # a ValidationError's path
    evaluate(instrument: Instrument, answers: Mapping[str, str], *, is_child: bool | None = None) -> Result
    outcome_label(outcome: str, language: str = "en") -> str

    Instrument.to_dict() -> dict                  # the file's content as JSON-able data (round-trips)
    Instrument.text(key: str, language: str = "en") -> str    # falls back to English
        keys: title, description, dimension.<id>.name|help, indicator.<id>.name|question|help
    Instrument.indicators / .dimensions / .anchors / .indicator(id) / .dimension(id) / .text_keys()
    Result.outcome / .label / .dimensions / .positive_dimensions / .found / .explanation
    Result.to_dict(language: str = "en") -> dict
    ValidationError(source, path, message)        # path like "dimensions[2].indicators[4].strength"
    InstrumentError(errors)  (ValueError)         AnswerError(problems)  (ValueError)
    UnknownInstrument  (KeyError)

    OUTCOMES = ("no_indicators", "further_assessment", "presumed_victim")   # lowest to highest
    OUTCOME_LABELS = {
        "presumed_victim": "presumed victim — reasonable grounds",
        "further_assessment": "indicators present — further assessment recommended",
        "no_indicators": "no indicators identified at this time",
    }
    ANSWERS = ("yes", "no", "unknown", "declined")   # only "yes" counts as found; a missing answer = unknown

How the outcome is decided (all of it is data in the instrument's ``rule``):

1. Each dimension is positive when any clause of its per-dimension rule holds (ILO 2009: at least 2 strong;
   or 1 strong + 1 medium or weak; or 3 medium; or 2 medium + 1 weak), counting only ``yes`` answers.
2. ``presumed_victim`` when the presumption rule for the person's population holds (ILO adults:
   (recruitment dimension 1, 2 or 3) AND exploitation AND (coercion or abuse of vulnerability at
   destination); children: the means element is not required, and a child in commercial sexual exploitation
   is presumed a victim).
3. Otherwise ``further_assessment`` when the further-assessment rule holds (for the shipped ILO instruments:
   at least one indicator found, which includes every case with a positive dimension; for quick screens,
   at least k of n items or a weighted score over a threshold).
4. Otherwise ``no_indicators``.

All conditions are monotone (no negation, no negative weights), so answering ``yes`` to one more item can
never lower the outcome, and ``unknown``/``declined`` answers never count as found. See
``docs/screening-engine.md`` for the file format.
"""

from __future__ import annotations

from .engine import evaluate, normalise_answers
from .loader import get_instrument, installed_instruments, load_instrument, load_instrument_text
from .model import (
    ANSWERS,
    DISCLAIMER,
    OUTCOME_LABELS,
    OUTCOME_LABELS_TRANSLATED,
    OUTCOMES,
    STRENGTHS,
    AnswerError,
    Dimension,
    DimensionResult,
    Indicator,
    Instrument,
    InstrumentError,
    Result,
    Rule,
    UnknownInstrument,
    ValidationError,
    outcome_label,
)
from .validation import INSTRUMENT_SCHEMA, format_path, parse_instrument_text, validate_instrument

__all__ = [
    "ANSWERS",
    "DISCLAIMER",
    "INSTRUMENT_SCHEMA",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "OUTCOME_LABELS_TRANSLATED",
    "STRENGTHS",
    "AnswerError",
    "Dimension",
    "DimensionResult",
    "Indicator",
    "Instrument",
    "InstrumentError",
    "Result",
    "Rule",
    "UnknownInstrument",
    "ValidationError",
    "evaluate",
    "format_path",
    "get_instrument",
    "installed_instruments",
    "load_instrument",
    "load_instrument_text",
    "normalise_answers",
    "outcome_label",
    "parse_instrument_text",
    "validate_instrument",
]
