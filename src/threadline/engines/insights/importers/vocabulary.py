"""The controlled vocabulary and the published formats' field maps, read from ``engines/insights/formats/*.json``.

Every categorical value a partner writes is compared in a normal form (lower case, without spaces, ``-``,
``_`` or ``/``) with the canonical values and their synonyms: CTDC and HTCDS spellings, HTCDS value names and
labels. The data files cite their sources; ``docs/insights.md`` records the editions.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

FORMATS_DIR = Path(__file__).resolve().parent.parent / "formats"
_NORMAL_RE = re.compile(r"[\s\-_/]+")
#: The same normal form as a pyarrow (RE2) pattern, for vectorised lookups.
NORMAL_PATTERN = r"[\s\-_/]+"


def normal(value: str) -> str:
    return _NORMAL_RE.sub("", value.lower())


@cache
def load(name: str) -> dict:
    return json.loads((FORMATS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def vocabulary() -> dict:
    return load("vocabulary")


def htcds() -> dict:
    return load("htcds-2.0")


@cache
def enum_synonyms(column: str) -> dict[str, str | None]:
    """Normal form -> canonical value (None: a spelling of "unknown", read as missing)."""
    out: dict[str, str | None] = {}
    for canonical, spellings in vocabulary()["enums"].get(column, {}).items():
        for spelling in [canonical, *spellings]:
            if spelling:
                out[normal(spelling)] = canonical or None
    return out


def other_value(column: str) -> str | None:
    """The canonical catch-all an unknown value of ``column`` is kept as, when the vocabulary has one."""
    return vocabulary()["other_value"].get(column)


@cache
def list_items(group: str) -> dict[str, tuple[str, ...]]:
    """Items of a multi-valued column (``means_of_control``, ``type_of_exploitation`` ...): normal form ->
    the canonical flag columns it sets."""
    out: dict[str, tuple[str, ...]] = {}
    for flags, spellings in vocabulary()["lists"][group]["items"].items():
        targets = tuple(flags.split("+"))
        for spelling in spellings:
            out.setdefault(normal(spelling), targets)
        if len(targets) == 1:
            out.setdefault(normal(flags), targets)
    return out


def list_other(group: str) -> str | None:
    return vocabulary()["lists"][group]["other"]


def list_flags(group: str) -> list[str]:
    """Every canonical flag a multi-valued column can set, in vocabulary order."""
    seen: dict[str, None] = {}
    for flags in vocabulary()["lists"][group]["items"]:
        seen.update(dict.fromkeys(flags.split("+")))
    return list(seen)


LIST_GROUPS = ("means_of_control", "type_of_exploitation", "type_of_labour", "type_of_sex")


@cache
def htcds_fields() -> dict[str, dict]:
    """HTCDS 2.0 field name -> its spec (label, canonical target or None, multi)."""
    return htcds()["fields"]


@cache
def htcds_by_label() -> dict[str, str]:
    """Normal form of an HTCDS field label -> field name (the template's second row, a blank-named column)."""
    out: dict[str, str] = {}
    for name, spec in htcds_fields().items():
        out.setdefault(normal(spec["label"]), name)
    return out


def country_extras() -> dict:
    return vocabulary()["countries"]
