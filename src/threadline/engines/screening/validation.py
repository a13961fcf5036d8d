"""Validation of instrument files: safe parsing, a JSON Schema for the structure, then checks of meaning.

Every problem is reported as a :class:`~.model.ValidationError` naming the file, the path of the field at
fault (``dimensions[2].indicators[4].strength``) and the reason, so that an organisation uploading its own
instrument can fix all problems in one go.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import jsonschema
import yaml

from .model import POPULATIONS, STRENGTHS, InstrumentError, ValidationError

#: Largest instrument file accepted (bytes). Real instruments are well under 200 kB.
MAX_FILE_BYTES = 2_000_000

RULE_TYPES = ("dimensions", "k_of_n", "weighted_score")
STATUSES = ("published", "example", "organisation", "draft")
EXPLOITATION_TYPES = ("labour", "sexual", "criminality", "begging", "marriage", "other", "any")
UNVERIFIABLE_PARTS = (
    "dimension_rule",
    "presumed_victim",
    "presumed_victim.adult",
    "presumed_victim.child",
    "further_assessment",
    "further_assessment.adult",
    "further_assessment.child",
)

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
_INSTRUMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$"
_LANG_PATTERN = r"^[a-z]{2,3}$"
_CLAUSE_KEY_PATTERN = r"^(any|(strong|medium|weak)(_or_(strong|medium|weak))*)$"

_PATTERN_HELP = {
    _ID_PATTERN: "must be snake_case: lower-case letters, digits and underscores, starting with a letter",
    _INSTRUMENT_ID_PATTERN: "must be lower-case letters, digits and hyphens (e.g. 'org-quick-screen')",
    _LANG_PATTERN: "must be a two- or three-letter ISO 639 language code such as 'en', 'fr' or 'ar'",
    _CLAUSE_KEY_PATTERN: "must be a strength or strengths joined by '_or_' (e.g. 'strong', 'medium_or_weak')",
}

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_ID: dict[str, Any] = {"type": "string", "pattern": _ID_PATTERN, "maxLength": 80}
_INDICATOR: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "question"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": _TEXT,
        "question": _TEXT,
        "help": _TEXT,
        "strength": {"enum": list(STRENGTHS)},
        "weight": {"type": "number", "minimum": 0},
        "name_source": _TEXT,
        "notes": _TEXT,
    },
}
_CLAUSE: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": _CLAUSE_KEY_PATTERN},
    "additionalProperties": {"type": "integer", "minimum": 1},
}
_DIMENSION_RULE: dict[str, Any] = {
    "type": "object",
    "required": ["positive_when_any_of"],
    "additionalProperties": False,
    "properties": {
        "positive_when_any_of": {"type": "array", "minItems": 1, "items": _CLAUSE},
        "notes": _TEXT,
    },
}
_DIMENSION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "indicators"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": _TEXT,
        "help": _TEXT,
        "notes": _TEXT,
        "rule": _DIMENSION_RULE,
        "indicators": {"type": "array", "minItems": 1, "items": _INDICATOR},
    },
}
_EXPRESSION: dict[str, Any] = {"type": ["string", "object"]}  # the grammar is checked by _check_expression

#: JSON Schema (draft 2020-12) of the structure of an instrument file. Meaning (ids that exist, rule
#: references, translations) is checked in code after the structure passes.
INSTRUMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Threadline screening instrument",
    "type": "object",
    "required": [
        "schema_version",
        "id",
        "version",
        "title",
        "source",
        "population",
        "exploitation",
        "rule",
        "dimensions",
    ],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": 1},
        "id": {"type": "string", "pattern": _INSTRUMENT_ID_PATTERN, "maxLength": 80},
        "version": {"type": "string", "minLength": 1, "maxLength": 40},
        "title": _TEXT,
        "description": _TEXT,
        "status": {"enum": list(STATUSES)},
        "source": {
            "type": "object",
            "required": ["citation"],
            "additionalProperties": False,
            "properties": {
                "citation": _TEXT,
                "url": _TEXT,
                "verified": {"type": "boolean"},
                "licence": _TEXT,
                "notes": _TEXT,
            },
        },
        "population": {"enum": list(POPULATIONS)},
        "exploitation": {
            "type": ["string", "array"],
            "items": {"enum": list(EXPLOITATION_TYPES)},
            "minItems": 1,
            "uniqueItems": True,
        },
        "languages": {"type": "array", "items": {"type": "string", "pattern": _LANG_PATTERN}},
        "gaps": {"type": "array", "items": _TEXT},
        "rule": {
            "type": "object",
            "required": ["type", "further_assessment"],
            "additionalProperties": False,
            "properties": {
                "type": {"enum": list(RULE_TYPES)},
                "description": _TEXT,
                "dimension_rule": _DIMENSION_RULE,
                "presumed_victim": _EXPRESSION,
                "further_assessment": _EXPRESSION,
                "when_age_unknown": {"enum": ["child", "adult"]},
                "unverified": {"type": "array", "items": {"enum": list(UNVERIFIABLE_PARTS)}},
                "notes": {"type": "array", "items": _TEXT},
            },
        },
        "dimensions": {"type": "array", "minItems": 1, "items": _DIMENSION},
        "anchors": {"type": "array", "items": _INDICATOR},
        "translations": {
            "type": "object",
            "propertyNames": {"pattern": _LANG_PATTERN},
            "additionalProperties": {"type": "object", "additionalProperties": _TEXT},
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(INSTRUMENT_SCHEMA)


# -- parsing -------------------------------------------------------------------------------------------
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe YAML that refuses silently repeated keys. Aliases are refused by a scan of the
    events before loading (no "billion laughs")."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.MarkedYAMLError(
                    None, None, f"key {key!r} appears twice in the same mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_instrument_text(text: str | bytes, source_name: str) -> dict[str, Any]:
    """Parse YAML (or JSON, a subset of YAML) into a dict; raise :class:`InstrumentError` when it cannot."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise InstrumentError([ValidationError(source_name, "", f"file larger than {MAX_FILE_BYTES} bytes")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InstrumentError([ValidationError(source_name, "", f"not UTF-8 text ({exc.reason})")]) from exc
    if len(text) > MAX_FILE_BYTES:
        raise InstrumentError([ValidationError(source_name, "", f"file larger than {MAX_FILE_BYTES} bytes")])
    try:
        for event in yaml.parse(text, Loader=_StrictLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError(
                    None, None, "aliases (*name) are not allowed in instrument files", event.start_mark
                )
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise InstrumentError([ValidationError(source_name, "", f"YAML error{where}: {problem}")]) from exc
    except yaml.YAMLError as exc:
        raise InstrumentError([ValidationError(source_name, "", f"YAML error: {exc}")]) from exc
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise InstrumentError([ValidationError(source_name, "", f"must be a mapping of fields; the file is {kind}")])
    return data


# -- paths ---------------------------------------------------------------------------------------------
def format_path(parts: Iterable[str | int]) -> str:
    """``["dimensions", 2, "indicators", 4, "strength"]`` -> ``dimensions[2].indicators[4].strength``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def _join(path: str, key: str | int) -> str:
    return (
        format_path([key])
        if not path
        else (
            path + format_path([key])
            if isinstance(key, int)
            else path + ("." + key if re.fullmatch(r"[A-Za-z_]\w*", key) else format_path([key]))
        )
    )


def _type_name(value: Any) -> str:
    return {
        dict: "mapping",
        list: "list",
        str: "text",
        bool: "true/false",
        int: "whole number",
        float: "number",
        type(None): "empty value",
    }.get(type(value), type(value).__name__)


def _schema_errors(data: dict[str, Any], source: str) -> list[ValidationError]:
    errors: list[ValidationError] = []
    for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = format_path(err.absolute_path)
        kind, value, inst = err.validator, err.validator_value, err.instance
        if kind == "required":
            for name in value:
                if isinstance(inst, dict) and name not in inst:
                    errors.append(ValidationError(source, _join(path, name), "is required"))
            continue
        if kind == "additionalProperties" and isinstance(inst, dict) and value is False:
            allowed = sorted(err.schema.get("properties", {}))
            for name in inst:
                if name not in allowed:
                    errors.append(
                        ValidationError(
                            source,
                            _join(path, str(name)),
                            f"unknown field (allowed here: {', '.join(allowed)})",
                        )
                    )
            continue
        if kind == "enum":
            msg = f"must be one of {', '.join(map(str, value))}; got {inst!r}"
        elif kind == "const":
            msg = f"must be {value!r}; got {inst!r}"
        elif kind == "type":
            wanted = " or ".join(
                _type_name(
                    {
                        "string": "",
                        "object": {},
                        "array": [],
                        "integer": 0,
                        "number": 0.0,
                        "boolean": True,
                    }.get(t)
                )
                for t in (value if isinstance(value, list) else [value])
            )
            msg = f"must be {wanted}; got {_type_name(inst)}"
            if value == "string" and isinstance(inst, (int, float)):
                msg += ' (put it in quotes, e.g. "1.0")'
        elif kind == "pattern":
            msg = f"{inst!r} {_PATTERN_HELP.get(value, f'does not match {value}')}"
        elif kind == "propertyNames":
            msg = f"key {inst!r} is not allowed here"
        elif kind in ("minItems", "minProperties"):
            msg = "must not be empty" if value == 1 else f"needs at least {value} entries"
        elif kind == "minLength":
            msg = "must not be empty"
        elif kind == "maxLength":
            msg = f"is longer than {value} characters"
        elif kind == "minimum":
            msg = f"must be at least {value}; got {inst!r}"
        elif kind == "uniqueItems":
            msg = "has repeated entries"
        else:
            msg = err.message
        errors.append(ValidationError(source, path, msg))
    return errors


# -- meaning -------------------------------------------------------------------------------------------
def parse_clause_key(key: str) -> frozenset[str]:
    """``medium_or_weak`` -> {"medium", "weak"}; ``any`` -> every strength."""
    return frozenset(STRENGTHS) if key == "any" else frozenset(key.split("_or_"))


def _check_dimension_rule(rule: dict[str, Any], path: str, source: str) -> list[ValidationError]:
    errors = []
    for i, clause in enumerate(rule["positive_when_any_of"]):
        used: set[str] = set()
        for key in clause:
            strengths = parse_clause_key(key)
            if used & strengths:
                errors.append(
                    ValidationError(
                        source,
                        _join(_join(_join(path, "positive_when_any_of"), i), key),
                        f"counts {', '.join(sorted(used & strengths))} twice in one clause; "
                        "the strengths of a clause must not overlap",
                    )
                )
            used |= strengths
    return errors


class _Ids:
    def __init__(self) -> None:
        self.dimensions: dict[str, dict[str, Any]] = {}
        self.indicators: dict[str, dict[str, Any]] = {}
        self.paths: dict[str, str] = {}


def _check_expression(expr: Any, path: str, ids: _Ids, source: str, uses: dict[str, set[str]]) -> list[ValidationError]:
    err = []
    if isinstance(expr, str):
        if expr in ids.dimensions:
            uses["dimensions"].add(expr)
        elif expr in ids.indicators:
            pass
        else:
            err.append(ValidationError(source, path, f"{expr!r} is not the id of a dimension or indicator"))
        return err
    if not isinstance(expr, dict):
        return [ValidationError(source, path, f"must be an id or a mapping; got {_type_name(expr)}")]
    keys = set(expr)
    if keys in ({"any"}, {"all"}):
        (op,) = keys
        items = expr[op]
        if not isinstance(items, list) or not items:
            return [ValidationError(source, _join(path, op), "must be a non-empty list of conditions")]
        for i, sub in enumerate(items):
            err += _check_expression(sub, _join(_join(path, op), i), ids, source, uses)
        return err
    if keys == {"at_least", "of"}:
        k, items = expr["at_least"], expr["of"]
        if not isinstance(items, list) or not items:
            return [ValidationError(source, _join(path, "of"), "must be a non-empty list of conditions")]
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(items):
            err.append(
                ValidationError(
                    source,
                    _join(path, "at_least"),
                    f"must be a whole number from 1 to {len(items)}; got {k!r}",
                )
            )
        for i, sub in enumerate(items):
            err += _check_expression(sub, _join(_join(path, "of"), i), ids, source, uses)
        return err
    if keys in ({"found_at_least"}, {"found_at_least", "in"}):
        scope = expr.get("in")
        scope_ids = [scope] if isinstance(scope, str) else scope
        pool = len(ids.indicators)
        if scope is not None:
            if not isinstance(scope_ids, list) or not scope_ids:
                return [ValidationError(source, _join(path, "in"), "must be a dimension id or a list of them")]
            pool = 0
            for i, dim_id in enumerate(scope_ids):
                if not isinstance(dim_id, str) or dim_id not in ids.dimensions:
                    err.append(
                        ValidationError(
                            source,
                            _join(path, "in") + (f"[{i}]" if isinstance(scope, list) else ""),
                            f"{dim_id!r} is not the id of a dimension",
                        )
                    )
                else:
                    pool += len(ids.dimensions[dim_id]["indicators"])
        k = expr["found_at_least"]
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            err.append(
                ValidationError(
                    source, _join(path, "found_at_least"), f"must be a whole number of at least 1; got {k!r}"
                )
            )
        elif not err and k > pool:
            err.append(
                ValidationError(
                    source,
                    _join(path, "found_at_least"),
                    f"{k} can never be reached: only {pool} indicator(s) in scope",
                )
            )
        return err
    if keys == {"score_at_least"}:
        x = expr["score_at_least"]
        if not isinstance(x, (int, float)) or isinstance(x, bool) or x <= 0:
            err.append(
                ValidationError(source, _join(path, "score_at_least"), f"must be a number greater than 0; got {x!r}")
            )
        uses["score"].add(path)
        return err
    return [
        ValidationError(
            source,
            path,
            "unknown condition; use an id, {any: [...]}, {all: [...]}, {at_least: K, of: [...]}, "
            "{found_at_least: K, in: DIMENSION} or {score_at_least: X} "
            f"(got keys {', '.join(sorted(map(str, keys)))})",
        )
    ]


def _check_population_expr(
    expr: Any, path: str, ids: _Ids, source: str, uses: dict[str, set[str]]
) -> list[ValidationError]:
    if isinstance(expr, dict) and set(expr) & {"adult", "child"}:
        errors = []
        for pop in ("adult", "child"):
            if pop not in expr:
                errors.append(
                    ValidationError(source, _join(path, pop), "is required when the rule is given per population")
                )
        for key in expr:
            if key not in ("adult", "child"):
                errors.append(
                    ValidationError(source, _join(path, str(key)), "unknown population (use 'adult' and 'child')")
                )
        for pop in ("adult", "child"):
            if pop in expr:
                errors += _check_expression(expr[pop], _join(path, pop), ids, source, uses)
        return errors
    return _check_expression(expr, path, ids, source, uses)


def _semantic_errors(data: dict[str, Any], source: str) -> list[ValidationError]:
    errors: list[ValidationError] = []
    ids = _Ids()
    seen: dict[str, str] = {}

    def claim(item_id: str, path: str) -> None:
        if item_id in seen:
            errors.append(ValidationError(source, path, f"duplicate id {item_id!r} (first used at {seen[item_id]})"))
        else:
            seen[item_id] = path

    for d, dim in enumerate(data.get("dimensions", [])):
        claim(dim["id"], f"dimensions[{d}].id")
        ids.dimensions[dim["id"]] = dim
        for i, ind in enumerate(dim["indicators"]):
            claim(ind["id"], f"dimensions[{d}].indicators[{i}].id")
            ids.indicators[ind["id"]] = ind
            ids.paths[ind["id"]] = f"dimensions[{d}].indicators[{i}]"
    for a, anchor in enumerate(data.get("anchors", [])):
        claim(anchor["id"], f"anchors[{a}].id")
        ids.indicators[anchor["id"]] = anchor
        ids.paths[anchor["id"]] = f"anchors[{a}]"

    exploitation = data["exploitation"]
    if isinstance(exploitation, str) and exploitation not in EXPLOITATION_TYPES:
        errors.append(
            ValidationError(
                source,
                "exploitation",
                f"must be one of {', '.join(EXPLOITATION_TYPES)}; got {exploitation!r}",
            )
        )

    rule = data["rule"]
    if "dimension_rule" in rule:
        errors += _check_dimension_rule(rule["dimension_rule"], "rule.dimension_rule", source)
    for d, dim in enumerate(data.get("dimensions", [])):
        if "rule" in dim:
            errors += _check_dimension_rule(dim["rule"], f"dimensions[{d}].rule", source)

    uses: dict[str, set[str]] = {"dimensions": set(), "score": set()}
    if "presumed_victim" in rule:
        errors += _check_population_expr(rule["presumed_victim"], "rule.presumed_victim", ids, source, uses)
    errors += _check_population_expr(rule["further_assessment"], "rule.further_assessment", ids, source, uses)

    # Dimensions that a rule reads must be decidable: a per-dimension rule and a strength on each indicator.
    ruled = set(uses["dimensions"])
    if rule["type"] == "dimensions":
        ruled |= set(ids.dimensions)
        if "dimension_rule" not in rule and any("rule" not in dim for dim in data.get("dimensions", [])):
            errors.append(
                ValidationError(
                    source,
                    "rule.dimension_rule",
                    "is required when rule.type is 'dimensions' (or give every dimension its own rule)",
                )
            )
    for d, dim in enumerate(data.get("dimensions", [])):
        if dim["id"] not in ruled:
            continue
        if "rule" not in dim and "dimension_rule" not in rule and rule["type"] != "dimensions":
            errors.append(
                ValidationError(
                    source,
                    f"dimensions[{d}].rule",
                    f"is required: the decision rule reads dimension {dim['id']!r} but no "
                    "per-dimension rule is given (add rule.dimension_rule)",
                )
            )
        for i, ind in enumerate(dim["indicators"]):
            if "strength" not in ind:
                errors.append(
                    ValidationError(
                        source,
                        f"dimensions[{d}].indicators[{i}].strength",
                        "is required: this dimension is decided by strengths",
                    )
                )
    if uses["score"] or rule["type"] == "weighted_score":
        for item_id, item in ids.indicators.items():
            if "weight" not in item:
                errors.append(
                    ValidationError(
                        source, f"{ids.paths[item_id]}.weight", "is required: the rule uses a weighted score"
                    )
                )
        if rule["type"] == "weighted_score" and not uses["score"]:
            errors.append(
                ValidationError(source, "rule", "rule.type is 'weighted_score' but no condition uses score_at_least")
            )

    errors += _translation_errors(data, source, ids)
    return errors


def _translation_errors(data: dict[str, Any], source: str, ids: _Ids) -> list[ValidationError]:
    errors: list[ValidationError] = []
    known = {"title"} | ({"description"} if "description" in data else set())
    required = {"title"}
    for dim in data.get("dimensions", []):
        known |= {f"dimension.{dim['id']}.name", f"dimension.{dim['id']}.help"}
        required.add(f"dimension.{dim['id']}.name")
    for item_id in ids.indicators:
        known |= {f"indicator.{item_id}.{f}" for f in ("name", "question", "help")}
        required |= {f"indicator.{item_id}.name", f"indicator.{item_id}.question"}
    translations = data.get("translations", {})
    for lang, texts in translations.items():
        for key in texts:
            if key not in known:
                errors.append(
                    ValidationError(
                        source,
                        format_path(["translations", lang, key]),
                        "no such text: keys are title, description, dimension.<id>.name|help or "
                        "indicator.<id>.name|question|help, with ids that exist in this file",
                    )
                )
    for l_index, lang in enumerate(data.get("languages", [])):
        if lang == "en":
            continue
        missing = sorted(required - set(translations.get(lang, {})))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            errors.append(
                ValidationError(
                    source,
                    f"languages[{l_index}]",
                    f"{lang!r} is listed as complete but {len(missing)} text(s) have no translation: {shown}",
                )
            )
    return errors


def validate_instrument(data: Any, source_name: str = "<instrument>") -> list[ValidationError]:
    """Every problem in an instrument given as parsed data; an empty list means it is valid."""
    if not isinstance(data, dict):
        return [ValidationError(source_name, "", f"must be a mapping of fields; got {_type_name(data)}")]
    errors = _schema_errors(data, source_name)
    if errors:
        return errors
    return _semantic_errors(data, source_name)
