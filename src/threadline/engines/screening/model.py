"""Data classes of the screening engine: instruments, rules, answers and results.

Everything here is immutable and pure Python. Instruments are built by :mod:`.loader` from a validated file;
results are built by :func:`threadline.engines.screening.engine.evaluate`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

#: Outcomes, ordered from lowest to highest. The order is what "never lowers the outcome" means.
OUTCOMES: tuple[str, ...] = ("no_indicators", "further_assessment", "presumed_victim")

#: The wording shown to workers. There is deliberately no wording that says a person is "not a victim":
#: the lowest outcome only says that no indicators were identified at this time.
OUTCOME_LABELS: dict[str, str] = {
    "presumed_victim": "presumed victim — reasonable grounds",
    "further_assessment": "indicators present — further assessment recommended",
    "no_indicators": "no indicators identified at this time",
}

#: Translations of :data:`OUTCOME_LABELS`; English is the fallback.
OUTCOME_LABELS_TRANSLATED: dict[str, dict[str, str]] = {
    "fr": {
        "presumed_victim": "victime présumée — motifs raisonnables",
        "further_assessment": "indicateurs présents — évaluation approfondie recommandée",
        "no_indicators": "aucun indicateur identifié à ce stade",
    },
    "ar": {
        "presumed_victim": "ضحية مفترضة — أسباب معقولة",
        "further_assessment": "توجد مؤشرات — يوصى بتقييم إضافي",
        "no_indicators": "لم تُحدَّد أي مؤشرات في الوقت الحالي",
    },
    "es": {
        "presumed_victim": "presunta víctima — indicios razonables",
        "further_assessment": "hay indicadores — se recomienda una evaluación más a fondo",
        "no_indicators": "no se han identificado indicadores por ahora",
    },
}

#: The statement attached to every result.
DISCLAIMER = (
    "This is a screening indicator for review by a trained person, not a determination. It reflects only "
    "what was known and shared at the time of screening; assistance must never depend on it alone."
)

#: Allowed answers. Only ``yes`` counts as found; ``unknown``, ``declined`` and a missing answer never do.
ANSWERS: tuple[str, ...] = ("yes", "no", "unknown", "declined")

#: Indicator strengths, strongest first.
STRENGTHS: tuple[str, ...] = ("strong", "medium", "weak")

POPULATIONS: tuple[str, ...] = ("child", "adult", "any")


def outcome_label(outcome: str, language: str = "en") -> str:
    """The worker-facing wording of ``outcome`` in ``language``, falling back to English."""
    return OUTCOME_LABELS_TRANSLATED.get(language, {}).get(outcome) or OUTCOME_LABELS[outcome]


@dataclass(frozen=True)
class ValidationError:
    """One problem in an instrument file: which file, where in it (``dimensions[2].indicators[4].strength``)
    and why."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        where = self.path or "(top level)"
        return f"{self.source}: {where}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "path": self.path, "message": self.message}


class InstrumentError(ValueError):
    """An instrument file could not be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[ValidationError]):
        self.errors = list(errors)
        lines = "\n".join(f"  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"invalid instrument ({len(self.errors)} problem(s)):\n{lines}{more}")


class AnswerError(ValueError):
    """The answers do not fit the instrument (unknown indicator id or answer value)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid answers: " + "; ".join(self.problems))


class UnknownInstrument(KeyError):
    """No installed instrument has this id."""


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    question: str
    help: str | None = None
    strength: str | None = None
    weight: float | None = None
    dimension_id: str | None = None  # None for anchors (items outside the dimensions)
    notes: str | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    help: str | None
    indicators: tuple[Indicator, ...]
    #: Clauses of the per-dimension rule, overriding the instrument's; see :class:`Rule`.
    rule: tuple[tuple[tuple[frozenset[str], int], ...], ...] | None = None


@dataclass(frozen=True)
class Rule:
    """The decision rule of an instrument.

    ``dimension_rule``: a dimension is positive when ANY clause holds; a clause holds when for EVERY
    ``(strengths, minimum)`` pair at least ``minimum`` of the dimension's found indicators have one of
    ``strengths`` (the strength sets of one clause are disjoint).
    ``presumed_victim`` / ``further_assessment``: expressions per population (``adult`` / ``child``).
    """

    type: str
    dimension_rule: tuple[tuple[tuple[frozenset[str], int], ...], ...] | None
    presumed_victim: dict[str, Any] | None
    further_assessment: dict[str, Any]
    when_age_unknown: str = "child"
    unverified: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    population: str
    exploitation: tuple[str, ...]
    status: str
    rule: Rule
    dimensions: tuple[Dimension, ...]
    anchors: tuple[Indicator, ...] = ()
    gaps: tuple[str, ...] = ()
    source: dict[str, Any] = field(default_factory=dict)
    languages: tuple[str, ...] = ("en",)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    origin: str = ""  # file it was loaded from, or "<dict>"
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- lookups --------------------------------------------------------------------------------------
    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every answerable item: the dimensions' indicators in order, then the anchors."""
        return tuple(i for d in self.dimensions for i in d.indicators) + self.anchors

    def indicator(self, indicator_id: str) -> Indicator:
        for item in self.indicators:
            if item.id == indicator_id:
                return item
        raise KeyError(indicator_id)

    def dimension(self, dimension_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(dimension_id)

    def text(self, key: str, language: str = "en") -> str:
        """Worker-facing text by key, in ``language`` when translated, else English.

        Keys: ``title``, ``description``, ``dimension.<id>.name``, ``dimension.<id>.help``,
        ``indicator.<id>.name``, ``indicator.<id>.question``, ``indicator.<id>.help``.
        Raises ``KeyError`` for a key that has no English text.
        """
        translated = self.translations.get(language, {}).get(key)
        if translated:
            return translated
        english = self._english_texts().get(key)
        if english is None:
            raise KeyError(key)
        return english

    def _english_texts(self) -> dict[str, str]:
        texts: dict[str, str] = {"title": self.title}
        if self.raw.get("description"):
            texts["description"] = self.raw["description"]
        for dim in self.dimensions:
            texts[f"dimension.{dim.id}.name"] = dim.name
            if dim.help:
                texts[f"dimension.{dim.id}.help"] = dim.help
        for item in self.indicators:
            texts[f"indicator.{item.id}.name"] = item.name
            texts[f"indicator.{item.id}.question"] = item.question
            if item.help:
                texts[f"indicator.{item.id}.help"] = item.help
        return texts

    def text_keys(self) -> list[str]:
        """Every key :meth:`text` knows (English), for translators and completeness checks."""
        return list(self._english_texts())

    def to_dict(self) -> dict[str, Any]:
        """The instrument as plain JSON-able data: the file's content as validated (round-trips through
        :func:`load_instrument`)."""
        return copy.deepcopy(self.raw)


@dataclass(frozen=True)
class DimensionResult:
    id: str
    name: str
    positive: bool
    found: tuple[Indicator, ...]
    not_known: tuple[str, ...]
    declined: tuple[str, ...]
    counts: dict[str, int]
    reason: str

    def to_dict(self, instrument: Instrument | None = None, language: str = "en") -> dict[str, Any]:
        name = instrument.text(f"dimension.{self.id}.name", language) if instrument else self.name
        return {
            "id": self.id,
            "name": name,
            "positive": self.positive,
            "indicators": [
                {"id": i.id, "strength": i.strength, **({"weight": i.weight} if i.weight is not None else {})}
                for i in self.found
            ],
            "counts": dict(self.counts),
            "not_known": list(self.not_known),
            "declined": list(self.declined),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Result:
    instrument: Instrument = field(repr=False)
    outcome: str
    rule_applied: str  # "child" or "adult": which combination rule was used
    age_basis: str
    dimensions: tuple[DimensionResult, ...]
    found: tuple[str, ...]
    not_known: tuple[str, ...]
    declined: tuple[str, ...]
    anchors_found: tuple[str, ...]
    score: float | None
    explanation: tuple[str, ...]

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def positive_dimensions(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions if d.positive)

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        inst = self.instrument
        return {
            "instrument": {"id": inst.id, "version": inst.version, "status": inst.status},
            "outcome": self.outcome,
            "outcome_label": outcome_label(self.outcome, language),
            "rule_applied": self.rule_applied,
            "age_basis": self.age_basis,
            "dimensions": [d.to_dict(inst, language) for d in self.dimensions],
            "positive_dimensions": list(self.positive_dimensions),
            "found": list(self.found),
            "anchors_found": list(self.anchors_found),
            "not_known": list(self.not_known),
            "declined": list(self.declined),
            "score": self.score,
            "explanation": list(self.explanation),
            "unverified_rules": list(inst.rule.unverified),
            "disclaimer": DISCLAIMER,
        }
