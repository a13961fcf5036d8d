"""Loading instruments: from a file, from parsed data or from the instruments shipped with Threadline."""

from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path
from typing import Any

from .model import Dimension, Indicator, Instrument, InstrumentError, Rule, UnknownInstrument
from .validation import parse_clause_key, parse_instrument_text, validate_instrument

INSTRUMENTS_PACKAGE = "threadline.engines.screening.instruments"


def _clauses(rule: dict[str, Any] | None) -> tuple[tuple[tuple[frozenset[str], int], ...], ...] | None:
    if rule is None:
        return None
    return tuple(
        tuple((parse_clause_key(key), int(minimum)) for key, minimum in clause.items())
        for clause in rule["positive_when_any_of"]
    )


def _per_population(expr: Any) -> dict[str, Any] | None:
    if expr is None:
        return None
    if isinstance(expr, dict) and set(expr) == {"adult", "child"}:
        return {"adult": expr["adult"], "child": expr["child"]}
    return {"adult": expr, "child": expr}


def _indicator(data: dict[str, Any], dimension_id: str | None) -> Indicator:
    weight = data.get("weight")
    return Indicator(
        id=data["id"],
        name=data["name"],
        question=data["question"],
        help=data.get("help"),
        strength=data.get("strength"),
        weight=float(weight) if weight is not None else None,
        dimension_id=dimension_id,
        notes=data.get("notes"),
    )


def build_instrument(data: dict[str, Any], origin: str) -> Instrument:
    """Build an :class:`Instrument` from data that has already passed :func:`validate_instrument`."""
    rule = data["rule"]
    exploitation = data["exploitation"]
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        population=data["population"],
        exploitation=(exploitation,) if isinstance(exploitation, str) else tuple(exploitation),
        status=data.get("status", "organisation"),
        rule=Rule(
            type=rule["type"],
            dimension_rule=_clauses(rule.get("dimension_rule")),
            presumed_victim=_per_population(rule.get("presumed_victim")),
            further_assessment=_per_population(rule["further_assessment"]) or {},
            when_age_unknown=rule.get("when_age_unknown", "child"),
            unverified=tuple(rule.get("unverified", ())),
            notes=tuple(rule.get("notes", ())),
        ),
        dimensions=tuple(
            Dimension(
                id=dim["id"],
                name=dim["name"],
                help=dim.get("help"),
                indicators=tuple(_indicator(ind, dim["id"]) for ind in dim["indicators"]),
                rule=_clauses(dim.get("rule")),
            )
            for dim in data.get("dimensions", [])
        ),
        anchors=tuple(_indicator(a, None) for a in data.get("anchors", [])),
        gaps=tuple(data.get("gaps", ())),
        source=dict(data["source"]),
        languages=tuple(data.get("languages", ["en"])),
        translations={lang: dict(texts) for lang, texts in data.get("translations", {}).items()},
        origin=origin,
        raw=copy.deepcopy(data),
    )


def load_instrument(path_or_dict: str | Path | dict[str, Any], *, source_name: str | None = None) -> Instrument:
    """Load and validate an instrument from a YAML/JSON file path or from already parsed data.

    Raises :class:`InstrumentError` (with every problem found) when it is not valid, ``OSError`` when the
    file cannot be read.
    """
    if isinstance(path_or_dict, dict):
        name = source_name or "<dict>"
        data = path_or_dict
    else:
        path = Path(path_or_dict)
        name = source_name or str(path)
        data = parse_instrument_text(path.read_bytes(), name)
    errors = validate_instrument(data, name)
    if errors:
        raise InstrumentError(errors)
    return build_instrument(data, name)


def load_instrument_text(text: str | bytes, source_name: str) -> Instrument:
    """Load an instrument from the text of an uploaded file (YAML or JSON)."""
    data = parse_instrument_text(text, source_name)
    return load_instrument(data, source_name=source_name)


@functools.cache
def _installed() -> tuple[Instrument, ...]:
    folder = resources.files(INSTRUMENTS_PACKAGE)
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            name = f"instruments/{entry.name}"
            found.append(load_instrument(parse_instrument_text(entry.read_bytes(), name), source_name=name))
    return tuple(found)


def installed_instruments() -> list[Instrument]:
    """The instruments shipped with Threadline, sorted by id."""
    return sorted(_installed(), key=lambda i: i.id)


def get_instrument(instrument_id: str) -> Instrument:
    """An installed instrument by id; raises :class:`UnknownInstrument` (a ``KeyError``)."""
    for inst in _installed():
        if inst.id == instrument_id:
            return inst
    raise UnknownInstrument(instrument_id)
