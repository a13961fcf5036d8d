"""Curricula and questionnaires as versioned data files: parsing, validation and loading.

Files are YAML (or JSON). Structure is checked with a JSON Schema, then meaning in code (unique ids, every
text in every declared language, scale items that exist, reverse scoring only on agreement items, a correct
answer for every knowledge item). Every problem names the file, the path of the field at fault
(``modules[2].objectives[0].text.fr``) and the reason, so that an author can fix all of them in one go.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from threadline.engines.screening import InstrumentError, ValidationError, format_path, parse_instrument_text

#: The key concepts of UNESCO's International Technical Guidance on Sexuality Education (2018).
UNESCO_KEY_CONCEPTS = (
    "relationships",
    "values_rights_culture_sexuality",
    "understanding_gender",
    "violence_and_staying_safe",
    "skills_for_health_and_wellbeing",
    "human_body_and_development",
    "sexuality_and_sexual_behaviour",
    "sexual_and_reproductive_health",
)
#: HTYPE performance indicators a module or questionnaire contributes to (HHS/ACF Office on Trafficking in
#: Persons, Human Trafficking Youth Prevention Education demonstration programme).
HTYPE_INDICATORS = (
    "pupils_reached",
    "pupil_knowledge_change",
    "pupil_attitude_change",
    "educators_trained",
    "educator_confidence_to_talk",
    "educator_believes_has_role",
    "educator_confidence_in_protocol",
    "educator_can_identify_assist_report",
)
STATUSES = ("published", "example", "organisation", "draft")
AUDIENCES = ("pupils", "educators")
ANSWER_KINDS = ("agreement", "knowledge")
REQUIRED_LANGUAGES = ("en",)

_ID = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$", "maxLength": 60}
_FILE_ID = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", "maxLength": 80}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 4000}
_I18N = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": r"^[a-z]{2,3}$"},
    "additionalProperties": _TEXT,
}
_AGE_BAND = {"type": "string", "pattern": r"^[0-9]{1,2}(-[0-9]{1,2})?\+?$"}
_SOURCE = {
    "type": "object",
    "required": ["id", "citation"],
    "additionalProperties": False,
    "properties": {"id": _ID, "citation": _TEXT, "url": _TEXT, "used_for": _TEXT},
}
_HEADER = {
    "schema_version": {"const": 1},
    "id": _FILE_ID,
    "version": {"type": "string", "minLength": 1, "maxLength": 40},
    "status": {"enum": list(STATUSES)},
    "status_note": _I18N,
    "title": _I18N,
    "languages": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "pattern": r"^[a-z]{2,3}$"},
    },
    "age_bands": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _AGE_BAND},
    "sources": {"type": "array", "minItems": 1, "items": _SOURCE},
    "htype_indicators": {"type": "array", "uniqueItems": True, "items": {"enum": list(HTYPE_INDICATORS)}},
}
_HEADER_REQUIRED = ["schema_version", "kind", "id", "version", "status", "title", "languages", "age_bands", "sources"]

CURRICULUM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Threadline prevention curriculum",
    "type": "object",
    "required": [*_HEADER_REQUIRED, "modules"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "kind": {"const": "curriculum"},
        "summary": _I18N,
        "modules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "age_bands", "key_concepts", "objectives", "sessions"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "title": _I18N,
                    "age_bands": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _AGE_BAND},
                    "key_concepts": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"enum": list(UNESCO_KEY_CONCEPTS)},
                    },
                    "htype_indicators": _HEADER["htype_indicators"],
                    "objectives": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["id", "text"],
                            "additionalProperties": False,
                            "properties": {"id": _ID, "text": _I18N},
                        },
                    },
                    "sessions": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["id", "title", "minutes", "activities", "facilitator_notes"],
                            "additionalProperties": False,
                            "properties": {
                                "id": _ID,
                                "title": _I18N,
                                "minutes": {"type": "integer", "minimum": 10, "maximum": 240},
                                "objectives": {"type": "array", "items": _ID},
                                "activities": {"type": "array", "minItems": 1, "items": _I18N},
                                "facilitator_notes": {"type": "array", "minItems": 1, "items": _I18N},
                                "materials": {"type": "array", "items": _I18N},
                            },
                        },
                    },
                },
            },
        },
    },
}

QUESTIONNAIRE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Threadline prevention questionnaire (pre/post)",
    "type": "object",
    "required": [*_HEADER_REQUIRED, "audience", "answer_types", "items", "scales"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "kind": {"const": "questionnaire"},
        "audience": {"enum": list(AUDIENCES)},
        "curriculum": _FILE_ID,
        "instructions": _I18N,
        "answer_types": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "required": ["kind", "options"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": list(ANSWER_KINDS)},
                    "options": {
                        "type": "array",
                        "minItems": 2,
                        "items": {
                            "type": "object",
                            "required": ["value", "label"],
                            "additionalProperties": False,
                            "properties": {
                                "value": {"type": ["integer", "string"]},
                                "label": _I18N,
                            },
                        },
                    },
                },
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "text", "answer"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "text": _I18N,
                    "answer": _ID,
                    "reverse": {"type": "boolean"},
                    "correct": {"type": ["integer", "string"]},
                },
            },
        },
        "scales": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "items"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "title": _I18N,
                    "items": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _ID},
                    "min_answered": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "htype_indicator": {"enum": list(HTYPE_INDICATORS)},
                },
            },
        },
    },
}


class DefinitionError(InstrumentError):
    """A curriculum or questionnaire file could not be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(errors)
        self.args = (str(self.args[0]).replace("invalid instrument", "invalid definition", 1),)


class UnknownDefinition(KeyError):
    """No installed curriculum or questionnaire has this id."""


def _schema_errors(data: dict[str, Any], schema: dict[str, Any], source: str) -> list[ValidationError]:
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        out.append(ValidationError(source, format_path(err.absolute_path), err.message))
    return out


def _texts(node: Any, path: list[str | int]) -> list[tuple[list[str | int], dict[str, str]]]:
    """Every translatable text (a mapping language -> string) under ``node``, with its path."""
    found: list[tuple[list[str | int], dict[str, str]]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in I18N_FIELDS and isinstance(value, dict):
                found.append(([*path, key], value))
            elif key in I18N_LISTS and isinstance(value, list):
                found.extend(([*path, key, i], v) for i, v in enumerate(value) if isinstance(v, dict))
            else:
                found.extend(_texts(value, [*path, key]))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_texts(value, [*path, i]))
    return found


#: Fields whose value is a text in several languages; those in ``FULLY_TRANSLATED`` must exist in every
#: declared language, the others (facilitator notes, activities, materials) at least in English.
I18N_FIELDS = ("title", "text", "label", "status_note", "summary", "instructions")
I18N_LISTS = ("activities", "facilitator_notes", "materials")
FULLY_TRANSLATED = ("title", "text", "label", "status_note", "instructions")


def _language_errors(data: dict[str, Any], source: str) -> list[ValidationError]:
    languages = data.get("languages") or []
    out = [
        ValidationError(source, "languages", f"must include {lang!r}")
        for lang in REQUIRED_LANGUAGES
        if lang not in languages
    ]
    for path, text in _texts(data, []):
        field_name = next(str(p) for p in reversed(path) if isinstance(p, str))
        wanted = languages if field_name in FULLY_TRANSLATED else REQUIRED_LANGUAGES
        out.extend(
            ValidationError(source, format_path([*path, lang]), f"missing the {lang!r} text")
            for lang in wanted
            if lang not in text
        )
        out.extend(
            ValidationError(source, format_path([*path, lang]), f"language {lang!r} is not in 'languages'")
            for lang in text
            if lang not in languages
        )
    return out


def _duplicate_ids(items: list[dict[str, Any]], path: list[str | int], source: str) -> list[ValidationError]:
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        if item["id"] in seen:
            out.append(ValidationError(source, format_path([*path, i, "id"]), f"id {item['id']!r} is used twice"))
        seen.add(item["id"])
    return out


def _band_errors(bands: list[str], path: list[str | int], known: list[str], source: str) -> list[ValidationError]:
    return [
        ValidationError(source, format_path([*path, i]), f"age band {band!r} is not in the file's 'age_bands'")
        for i, band in enumerate(bands)
        if band not in known
    ]


def validate_curriculum(data: dict[str, Any], source: str) -> list[ValidationError]:
    """Every problem in a parsed curriculum (empty when it is valid)."""
    errors = _schema_errors(data, CURRICULUM_SCHEMA, source)
    if errors:
        return errors
    errors = _language_errors(data, source) + _duplicate_ids(data["modules"], ["modules"], source)
    for m, module in enumerate(data["modules"]):
        errors += _band_errors(module["age_bands"], ["modules", m, "age_bands"], data["age_bands"], source)
        errors += _duplicate_ids(module["objectives"], ["modules", m, "objectives"], source)
        errors += _duplicate_ids(module["sessions"], ["modules", m, "sessions"], source)
        objective_ids = {o["id"] for o in module["objectives"]}
        for s, session in enumerate(module["sessions"]):
            for o, ref in enumerate(session.get("objectives", [])):
                if ref not in objective_ids:
                    path = format_path(["modules", m, "sessions", s, "objectives", o])
                    errors.append(ValidationError(source, path, f"no objective {ref!r} in this module"))
    return errors


def validate_questionnaire(data: dict[str, Any], source: str) -> list[ValidationError]:
    """Every problem in a parsed questionnaire (empty when it is valid)."""
    errors = _schema_errors(data, QUESTIONNAIRE_SCHEMA, source)
    if errors:
        return errors
    errors = [
        *_language_errors(data, source),
        *_duplicate_ids(data["items"], ["items"], source),
        *_duplicate_ids(data["scales"], ["scales"], source),
    ]
    types = data["answer_types"]
    for name, answer_type in types.items():
        values = [o["value"] for o in answer_type["options"]]
        if len(set(values)) != len(values):
            errors.append(ValidationError(source, format_path(["answer_types", name]), "option values repeat"))
        if answer_type["kind"] == "agreement" and not all(isinstance(v, int) for v in values):
            path = format_path(["answer_types", name, "options"])
            errors.append(ValidationError(source, path, "agreement options must have whole-number values"))
    for i, item in enumerate(data["items"]):
        answer_type = types.get(item["answer"])
        if answer_type is None:
            errors.append(ValidationError(source, format_path(["items", i, "answer"]), "no such answer type"))
            continue
        values = [o["value"] for o in answer_type["options"]]
        if answer_type["kind"] == "knowledge":
            if "correct" not in item:
                errors.append(
                    ValidationError(source, format_path(["items", i]), "a knowledge item needs a 'correct' answer")
                )
            elif item["correct"] not in values:
                errors.append(
                    ValidationError(source, format_path(["items", i, "correct"]), "not one of the answer's options")
                )
            if item.get("reverse"):
                errors.append(
                    ValidationError(source, format_path(["items", i, "reverse"]), "only agreement items are reversed")
                )
        elif "correct" in item:
            errors.append(
                ValidationError(source, format_path(["items", i, "correct"]), "only knowledge items have one")
            )
    item_kinds = {it["id"]: types.get(it["answer"], {}).get("kind") for it in data["items"]}
    for s, scale in enumerate(data["scales"]):
        kinds = set()
        for j, ref in enumerate(scale["items"]):
            if ref not in item_kinds:
                errors.append(ValidationError(source, format_path(["scales", s, "items", j]), f"no item {ref!r}"))
            kinds.add(item_kinds.get(ref))
        if len(kinds - {None}) > 1:
            path = format_path(["scales", s, "items"])
            errors.append(ValidationError(source, path, "a scale cannot mix knowledge and agreement items"))
    return errors


@dataclass(frozen=True)
class Item:
    id: str
    text: dict[str, str]
    kind: str  # "agreement" or "knowledge"
    options: tuple[Any, ...]
    labels: tuple[dict[str, str], ...]
    reverse: bool = False
    correct: Any = None

    @property
    def low(self) -> int:
        return min(self.options) if self.kind == "agreement" else 0

    @property
    def high(self) -> int:
        return max(self.options) if self.kind == "agreement" else 1


@dataclass(frozen=True)
class Scale:
    id: str
    title: dict[str, str]
    items: tuple[str, ...]
    min_answered: float = 0.5
    htype_indicator: str | None = None


@dataclass(frozen=True)
class Definition:
    """A curriculum or a questionnaire as loaded; ``raw`` is the validated file content."""

    kind: str
    id: str
    version: str
    status: str
    languages: tuple[str, ...]
    age_bands: tuple[str, ...]
    origin: str
    raw: dict[str, Any] = field(repr=False)

    def text(self, value: dict[str, str] | None, language: str = "en") -> str:
        """A text in ``language``, falling back to English."""
        if not value:
            return ""
        return value.get(language) or value.get("en") or next(iter(value.values()))

    @property
    def title(self) -> dict[str, str]:
        return self.raw["title"]


@dataclass(frozen=True)
class Curriculum(Definition):
    @property
    def modules(self) -> list[dict[str, Any]]:
        return self.raw["modules"]


@dataclass(frozen=True)
class Questionnaire(Definition):
    audience: str = "pupils"
    items: tuple[Item, ...] = ()
    scales: tuple[Scale, ...] = ()

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)


def _build(data: dict[str, Any], origin: str) -> Curriculum | Questionnaire:
    common = {
        "kind": data["kind"],
        "id": data["id"],
        "version": data["version"],
        "status": data["status"],
        "languages": tuple(data["languages"]),
        "age_bands": tuple(data["age_bands"]),
        "origin": origin,
        "raw": data,
    }
    if data["kind"] == "curriculum":
        return Curriculum(**common)
    types = data["answer_types"]
    items = tuple(
        Item(
            id=it["id"],
            text=it["text"],
            kind=types[it["answer"]]["kind"],
            options=tuple(o["value"] for o in types[it["answer"]]["options"]),
            labels=tuple(o["label"] for o in types[it["answer"]]["options"]),
            reverse=bool(it.get("reverse", False)),
            correct=it.get("correct"),
        )
        for it in data["items"]
    )
    scales = tuple(
        Scale(
            id=s["id"],
            title=s["title"],
            items=tuple(s["items"]),
            min_answered=float(s.get("min_answered", 0.5)),
            htype_indicator=s.get("htype_indicator"),
        )
        for s in data["scales"]
    )
    return Questionnaire(**common, audience=data["audience"], items=items, scales=scales)


def load_definition(
    path_or_data: str | Path | dict[str, Any], *, source_name: str | None = None, kind: str | None = None
):
    """Load and validate a curriculum or questionnaire from a file or parsed data.

    Raises :class:`DefinitionError` listing every problem; ``OSError`` when the file cannot be read.
    ``kind`` ("curriculum" or "questionnaire") refuses a file of the other kind.
    """
    if isinstance(path_or_data, dict):
        name = source_name or "<dict>"
        data = path_or_data
    else:
        name = source_name or str(path_or_data)
        try:
            data = parse_instrument_text(Path(path_or_data).read_bytes(), name)
        except InstrumentError as exc:
            raise DefinitionError(exc.errors) from None
    found = data.get("kind")
    if kind is not None and found != kind:
        raise DefinitionError([ValidationError(name, "kind", f"must be {kind!r} (found {found!r})")])
    if found == "curriculum":
        errors = validate_curriculum(data, name)
    elif found == "questionnaire":
        errors = validate_questionnaire(data, name)
    else:
        errors = [ValidationError(name, "kind", "must be 'curriculum' or 'questionnaire'")]
    if errors:
        raise DefinitionError(errors)
    return _build(data, name)


@functools.cache
def _installed(folder_name: str) -> tuple[Definition, ...]:
    folder = resources.files(f"threadline.engines.prevention.{folder_name}")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            name = f"{folder_name}/{entry.name}"
            found.append(load_definition(parse_instrument_text(entry.read_bytes(), name), source_name=name))
    return tuple(found)


def installed_curricula() -> list[Curriculum]:
    """The curricula shipped with Threadline, sorted by id."""
    return sorted(_installed("curricula"), key=lambda d: d.id)  # type: ignore[arg-type,return-value]


def installed_questionnaires() -> list[Questionnaire]:
    """The questionnaires shipped with Threadline, sorted by id."""
    return sorted(_installed("instruments"), key=lambda d: d.id)  # type: ignore[arg-type,return-value]


def get_curriculum(curriculum_id: str) -> Curriculum:
    for c in installed_curricula():
        if c.id == curriculum_id:
            return c
    raise UnknownDefinition(curriculum_id)


def get_questionnaire(questionnaire_id: str) -> Questionnaire:
    for q in installed_questionnaires():
        if q.id == questionnaire_id:
            return q
    raise UnknownDefinition(questionnaire_id)
