"""The Convention and the assessment templates as versioned data files: parsing, validation and loading.

Files are YAML (or JSON). Structure is checked with a JSON Schema, then meaning in code: article numbers
unique and consecutive, clusters that exist, every title in every declared language, every stage of the
assessment in order, exactly one gate question at screening, focus articles that exist in the Convention file.
Every problem names the file, the path of the field at fault (``stages[4].questions[0].text.en``) and the
reason, so that an author can fix all of them in one go.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from threadline.engines.screening.model import InstrumentError, ValidationError
from threadline.engines.screening.validation import format_path, parse_instrument_text

#: The stages every assessment moves through, in this order (each template names and words them its own way).
STAGE_KINDS = (
    "screening",
    "scoping",
    "evidence",
    "consultation",
    "impact",
    "options",
    "decision",
    "publication",
    "monitoring",
)
#: Groups of children whose impact is assessed separately ("all" is every child concerned).
CHILD_GROUPS = ("all", "girls", "boys", "disability", "migrant_unaccompanied", "in_care")
ANSWER_KINDS = ("text", "yes_no")
STATUSES = ("published", "example", "organisation", "draft")
REQUIRED_LANGUAGES = ("en",)
#: Texts that must exist in every language the file declares (questions need English at least).
FULLY_TRANSLATED = ("title",)

_ID = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$", "maxLength": 60}
_FILE_ID = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", "maxLength": 80}
_ARTICLE_KEY = {"type": "string", "pattern": r"^[a-z]+-[0-9]{1,3}$"}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 4000}
_I18N = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": r"^[a-z]{2,3}$"},
    "additionalProperties": _TEXT,
}
_SOURCE = {
    "type": "object",
    "required": ["id", "citation"],
    "additionalProperties": False,
    "properties": {"id": _ID | {"pattern": r"^[a-z][a-z0-9_-]*$"}, "citation": _TEXT, "url": _TEXT, "used_for": _TEXT},
}
_HEADER = {
    "schema_version": {"const": 1},
    "id": _FILE_ID,
    "version": {"type": "string", "minLength": 1, "maxLength": 40},
    "title": _I18N,
    "languages": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "pattern": r"^[a-z]{2,3}$"},
    },
    "sources": {"type": "array", "minItems": 1, "items": _SOURCE},
}
_HEADER_REQUIRED = ["schema_version", "kind", "id", "version", "title", "languages", "sources"]

CONVENTION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Threadline convention file (articles, general principles, clusters)",
    "type": "object",
    "required": [*_HEADER_REQUIRED, "clusters", "instruments"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "kind": {"const": "convention"},
        "clusters": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "number", "title"],
                "additionalProperties": False,
                "properties": {"id": _ID, "number": {"type": "string", "maxLength": 10}, "title": _I18N},
            },
        },
        "instruments": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "articles"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": r"^[a-z]+$", "maxLength": 20},
                    "title": _I18N,
                    "articles": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["number", "title", "clusters"],
                            "additionalProperties": False,
                            "properties": {
                                "number": {"type": "integer", "minimum": 1, "maximum": 999},
                                "title": _I18N,
                                "clusters": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _ID},
                                "general_principle": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
    },
}

TEMPLATE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Threadline child rights impact assessment template",
    "type": "object",
    "required": [*_HEADER_REQUIRED, "framework", "stages"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "kind": {"const": "assessment_template"},
        "status": {"enum": list(STATUSES)},
        "framework": _TEXT,
        "jurisdiction": _TEXT,
        "stages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "kind", "title", "questions"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "kind": {"enum": list(STAGE_KINDS)},
                    "title": _I18N,
                    "questions": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "text", "answer"],
                            "additionalProperties": False,
                            "properties": {
                                "id": _ID,
                                "text": _I18N,
                                "answer": {"enum": list(ANSWER_KINDS)},
                                "required": {"type": "boolean"},
                                "gate": {"type": "boolean"},
                            },
                        },
                    },
                    "required_evidence": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "text"],
                            "additionalProperties": False,
                            "properties": {"id": _ID, "text": _I18N},
                        },
                    },
                    "focus_articles": {"type": "array", "uniqueItems": True, "items": _ARTICLE_KEY},
                    "groups": {"type": "array", "uniqueItems": True, "items": {"enum": list(CHILD_GROUPS)}},
                },
            },
        },
    },
}


class DefinitionError(InstrumentError):
    """A convention or template file could not be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(errors)
        self.args = (str(self.args[0]).replace("invalid instrument", "invalid definition", 1),)


class UnknownTemplate(KeyError):
    """No installed assessment template has this id."""


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
            if key in ("title", "text") and isinstance(value, dict):
                found.append(([*path, key], value))
            else:
                found.extend(_texts(value, [*path, key]))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_texts(value, [*path, i]))
    return found


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


def _duplicates(values: list[Any], path: list[str | int], what: str, source: str) -> list[ValidationError]:
    seen: set[Any] = set()
    out = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(ValidationError(source, format_path([*path, i]), f"{what} {value!r} is used twice"))
        seen.add(value)
    return out


def validate_convention(data: dict[str, Any], source: str) -> list[ValidationError]:
    """Every problem in a parsed convention file (empty when it is valid)."""
    errors = _schema_errors(data, CONVENTION_SCHEMA, source)
    if errors:
        return errors
    errors = _language_errors(data, source)
    clusters = [c["id"] for c in data["clusters"]]
    errors += [
        ValidationError(source, format_path(["clusters", i, "id"]), f"id {c!r} is used twice")
        for i, c in enumerate(clusters)
        if c in clusters[:i]
    ]
    errors += _duplicates([inst["id"] for inst in data["instruments"]], ["instruments"], "instrument", source)
    for i, inst in enumerate(data["instruments"]):
        numbers = [a["number"] for a in inst["articles"]]
        errors += [
            ValidationError(
                source, format_path(["instruments", i, "articles", j, "number"]), f"article {n} is listed twice"
            )
            for j, n in enumerate(numbers)
            if n in numbers[:j]
        ]
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if missing:
            where = format_path(["instruments", i, "articles"])
            errors.append(ValidationError(source, where, f"articles missing: {', '.join(map(str, missing))}"))
        for j, article in enumerate(inst["articles"]):
            for c, ref in enumerate(article["clusters"]):
                if ref not in clusters:
                    path = format_path(["instruments", i, "articles", j, "clusters", c])
                    errors.append(ValidationError(source, path, f"no cluster {ref!r} in 'clusters'"))
            if article.get("general_principle") and "general_principles" not in article["clusters"]:
                path = format_path(["instruments", i, "articles", j, "clusters"])
                errors.append(ValidationError(source, path, "a general principle belongs to 'general_principles'"))
    return errors


def validate_template(data: dict[str, Any], source: str, convention: Convention | None = None) -> list[ValidationError]:
    """Every problem in a parsed assessment template (empty when it is valid).

    ``convention`` (default: the installed one) is where focus articles must exist.
    """
    errors = _schema_errors(data, TEMPLATE_SCHEMA, source)
    if errors:
        return errors
    errors = _language_errors(data, source)
    stages = data["stages"]
    kinds = [s["kind"] for s in stages]
    errors += _duplicates([s["id"] for s in stages], ["stages"], "stage id", source)
    errors += _duplicates(kinds, ["stages"], "stage kind", source)
    missing = [k for k in STAGE_KINDS if k not in kinds]
    if missing:
        errors.append(ValidationError(source, "stages", f"stages missing: {', '.join(missing)}"))
    elif kinds != list(STAGE_KINDS):
        errors.append(ValidationError(source, "stages", f"stages must come in this order: {', '.join(STAGE_KINDS)}"))
    question_ids = [(s, q, qu["id"]) for s, stage in enumerate(stages) for q, qu in enumerate(stage["questions"])]
    seen: set[str] = set()
    for s, q, qid in question_ids:
        if qid in seen:
            path = format_path(["stages", s, "questions", q, "id"])
            errors.append(ValidationError(source, path, f"question id {qid!r} is used twice in the template"))
        seen.add(qid)
    known = (convention or get_convention()).articles
    for s, stage in enumerate(stages):
        gates = [q for q, question in enumerate(stage["questions"]) if question.get("gate")]
        if stage["kind"] == "screening" and len(gates) != 1:
            path = format_path(["stages", s, "questions"])
            errors.append(ValidationError(source, path, "screening needs exactly one gate question (gate: true)"))
        for q in gates:
            question = stage["questions"][q]
            path = format_path(["stages", s, "questions", q])
            if stage["kind"] != "screening":
                errors.append(ValidationError(source, path + ".gate", "only a screening question can be the gate"))
            if question["answer"] != "yes_no" or not question.get("required"):
                errors.append(ValidationError(source, path, "the gate question must be a required yes_no question"))
        for key in ("focus_articles", "groups"):
            if key in stage and stage["kind"] != "impact":
                path = format_path(["stages", s, key])
                errors.append(ValidationError(source, path, f"only the impact stage has {key}"))
        for a, article in enumerate(stage.get("focus_articles", [])):
            if article not in known:
                path = format_path(["stages", s, "focus_articles", a])
                errors.append(ValidationError(source, path, f"no article {article!r} in the Convention file"))
        errors += _duplicates(
            [e["id"] for e in stage.get("required_evidence", [])], ["stages", s, "required_evidence"], "id", source
        )
    return errors


# -- loaded objects ------------------------------------------------------------------------------------
def _text(value: dict[str, str] | None, language: str) -> str:
    if not value:
        return ""
    return value.get(language) or value.get("en") or next(iter(value.values()))


@dataclass(frozen=True)
class Article:
    key: str  # "crc-34", "opsc-3"
    instrument: str
    number: int
    title: dict[str, str]
    clusters: tuple[str, ...]
    general_principle: bool = False

    def label(self, language: str = "en") -> str:
        prefix = "" if self.instrument == "crc" else f"{self.instrument.upper()} "
        return f"{prefix}{self.number}. {_text(self.title, language)}"


@dataclass(frozen=True)
class Convention:
    id: str
    version: str
    origin: str
    raw: dict[str, Any] = field(repr=False)
    articles: dict[str, Article] = field(repr=False, default_factory=dict)

    def text(self, value: dict[str, str] | None, language: str = "en") -> str:
        return _text(value, language)

    @property
    def general_principles(self) -> list[Article]:
        return [a for a in self.articles.values() if a.general_principle]

    def article(self, key: str) -> Article:
        return self.articles[key]

    def clusters(self) -> list[dict[str, Any]]:
        return list(self.raw["clusters"])

    def in_cluster(self, cluster_id: str) -> list[Article]:
        return [a for a in self.articles.values() if cluster_id in a.clusters]

    def instrument_title(self, instrument: str, language: str = "en") -> str:
        found = next(i for i in self.raw["instruments"] if i["id"] == instrument)
        return _text(found["title"], language)


@dataclass(frozen=True)
class Question:
    id: str
    stage: str
    text: dict[str, str]
    answer: str
    required: bool = False
    gate: bool = False


@dataclass(frozen=True)
class Stage:
    id: str
    kind: str
    title: dict[str, str]
    questions: tuple[Question, ...]
    required_evidence: tuple[dict[str, Any], ...] = ()
    focus_articles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    status: str
    framework: str
    languages: tuple[str, ...]
    origin: str
    stages: tuple[Stage, ...]
    raw: dict[str, Any] = field(repr=False)

    def text(self, value: dict[str, str] | None, language: str = "en") -> str:
        return _text(value, language)

    @property
    def title(self) -> dict[str, str]:
        return self.raw["title"]

    def stage(self, kind: str) -> Stage:
        return next(s for s in self.stages if s.kind == kind)

    @property
    def gate_question(self) -> Question:
        return next(q for q in self.stage("screening").questions if q.gate)

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for s in self.stages for q in s.questions}


def _build_convention(data: dict[str, Any], origin: str) -> Convention:
    articles = {}
    for inst in data["instruments"]:
        for a in sorted(inst["articles"], key=lambda a: a["number"]):
            key = f"{inst['id']}-{a['number']}"
            articles[key] = Article(
                key=key,
                instrument=inst["id"],
                number=a["number"],
                title=a["title"],
                clusters=tuple(a["clusters"]),
                general_principle=bool(a.get("general_principle", False)),
            )
    return Convention(id=data["id"], version=data["version"], origin=origin, raw=data, articles=articles)


def _build_template(data: dict[str, Any], origin: str) -> Template:
    stages = tuple(
        Stage(
            id=s["id"],
            kind=s["kind"],
            title=s["title"],
            questions=tuple(
                Question(
                    id=q["id"],
                    stage=s["kind"],
                    text=q["text"],
                    answer=q["answer"],
                    required=bool(q.get("required", False)),
                    gate=bool(q.get("gate", False)),
                )
                for q in s["questions"]
            ),
            required_evidence=tuple(s.get("required_evidence", ())),
            focus_articles=tuple(s.get("focus_articles", ())),
            groups=tuple(s.get("groups", ())),
        )
        for s in data["stages"]
    )
    return Template(
        id=data["id"],
        version=data["version"],
        status=data.get("status", "published"),
        framework=data["framework"],
        languages=tuple(data["languages"]),
        origin=origin,
        stages=stages,
        raw=data,
    )


def _read(path_or_data: str | Path | dict[str, Any], source_name: str | None) -> tuple[str, dict[str, Any]]:
    if isinstance(path_or_data, dict):
        return source_name or "<dict>", path_or_data
    name = source_name or str(path_or_data)
    try:
        return name, parse_instrument_text(Path(path_or_data).read_bytes(), name)
    except InstrumentError as exc:
        raise DefinitionError(exc.errors) from None


def load_convention(path_or_data: str | Path | dict[str, Any], *, source_name: str | None = None) -> Convention:
    """Load and validate a convention file. Raises :class:`DefinitionError` listing every problem."""
    name, data = _read(path_or_data, source_name)
    if data.get("kind") != "convention":
        raise DefinitionError([ValidationError(name, "kind", f"must be 'convention' (found {data.get('kind')!r})")])
    errors = validate_convention(data, name)
    if errors:
        raise DefinitionError(errors)
    return _build_convention(data, name)


def load_template(
    path_or_data: str | Path | dict[str, Any], *, source_name: str | None = None, convention: Convention | None = None
) -> Template:
    """Load and validate an assessment template. Raises :class:`DefinitionError` listing every problem;
    ``OSError`` when the file cannot be read."""
    name, data = _read(path_or_data, source_name)
    if data.get("kind") != "assessment_template":
        found = data.get("kind")
        raise DefinitionError([ValidationError(name, "kind", f"must be 'assessment_template' (found {found!r})")])
    errors = validate_template(data, name, convention)
    if errors:
        raise DefinitionError(errors)
    return _build_template(data, name)


@functools.cache
def get_convention() -> Convention:
    """The Convention file shipped with Threadline."""
    entry = resources.files("threadline.engines.policy.data").joinpath("uncrc.yaml")
    return load_convention(parse_instrument_text(entry.read_bytes(), "data/uncrc.yaml"), source_name="data/uncrc.yaml")


@functools.cache
def _installed() -> tuple[Template, ...]:
    folder = resources.files("threadline.engines.policy.frameworks")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            name = f"frameworks/{entry.name}"
            found.append(load_template(parse_instrument_text(entry.read_bytes(), name), source_name=name))
    return tuple(found)


def installed_templates() -> list[Template]:
    """The assessment templates shipped with Threadline, sorted by id."""
    return sorted(_installed(), key=lambda t: t.id)


def get_template(template_id: str, version: str | None = None) -> Template:
    for t in _installed():
        if t.id == template_id and (version is None or t.version == version):
            return t
    raise UnknownTemplate(template_id if version is None else f"{template_id} {version}")
