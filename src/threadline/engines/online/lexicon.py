"""Versioned indicator lexicons (YAML data files) and their matcher.

Each entry has ``category``, ``language``, ``weight``, ``pattern`` (a regular expression over folded text)
and ``source``; an optional ``anchor`` (word or list of words) names literal words one of which must occur for
the pattern to be tried, which keeps matching fast. Plain-word patterns get their anchor automatically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from threadline.engines.online.normalize import fold
from threadline.engines.online.tokens import WordIndex

CATEGORIES = (
    "youth_cues",
    "third_party_control",
    "movement",
    "restricted_autonomy",
    "coded_emoji",
    "deceptive_recruitment",
)
DERIVED_CATEGORIES = ("obscured_contact",)
REQUIRED = ("category", "language", "weight", "pattern", "source")
WINDOW = 80  # characters searched on each side of an anchor occurrence (patterns are shorter than this)


class LexiconError(ValueError):
    pass


@dataclass(slots=True)
class Entry:
    category: str
    language: str
    weight: float
    pattern: str
    source: str
    regex: re.Pattern[str]
    anchors: tuple[str, ...]
    file: str


@dataclass(slots=True)
class IndicatorHit:
    category: str
    language: str
    weight: float
    start: int
    end: int
    text: str
    pattern: str


@dataclass
class Lexicon:
    entries: list[Entry]
    versions: dict[str, str]
    by_anchor: dict[bytes, list[Entry]] = field(default_factory=dict)
    literal: list[Entry] = field(default_factory=list)  # non-ASCII anchors (emoji): substring test
    always: list[Entry] = field(default_factory=list)
    anchor_set: frozenset[bytes] = frozenset()

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        for e in self.entries:
            if not e.anchors:
                self.always.append(e)
                continue
            for a in e.anchors:
                if a.isascii() and re.fullmatch(r"[a-z0-9_]+", a):
                    self.by_anchor.setdefault(a.encode(), []).append(e)
                else:
                    self.literal.append(e)
                    break
        self.anchor_set = frozenset(self.by_anchor)

    def match(self, f: str, words: WordIndex | None = None) -> list[IndicatorHit]:
        """All indicator hits in folded text ``f``, sorted by position (``words``: the word index of ``f``)."""
        index = words if words is not None else WordIndex(f)
        n = len(f)
        # the window around each occurrence of each anchor word (an anchor may serve several entries)
        occ: dict[bytes, list[tuple[int, int]]] = {
            w: list(zip(np.maximum(index.starts[ix] - WINDOW, 0).tolist(),
                        np.minimum(index.ends[ix] + WINDOW, n).tolist(), strict=True))
            for w, ix in index.by_word(self.anchor_set)
        }  # fmt: skip
        todo: dict[int, Entry] = {}
        for w in occ:
            for e in self.by_anchor[w]:
                todo[id(e)] = e
        for e in self.always:
            todo[id(e)] = e
        for e in self.literal:
            if any(a in f for a in e.anchors):
                todo[id(e)] = e
        out = []
        for e in todo.values():
            windows: list[tuple[int, int]] = []
            if not e.anchors:
                windows.append((0, n))
            for a in e.anchors:
                ab = a.encode()
                if ab in self.anchor_set:  # a whole word: its occurrences come from the index
                    if ab in occ:
                        windows.extend(occ[ab])
                    continue
                ascii_anchor = a.isascii()
                i = f.find(a)
                while i != -1:
                    j = i + len(a)
                    if not (ascii_anchor and ((i > 0 and f[i - 1].isalnum()) or (j < n and f[j] in _ALNUM))):
                        windows.append((max(0, i - WINDOW), min(n, j + WINDOW)))
                    i = f.find(a, i + 1)
            spans: set[tuple[int, int]] = set()
            rx = e.regex
            alnum_start = e.pattern[:1].isalnum()
            for lo, hi in windows:
                for m in rx.finditer(f, lo, hi):
                    st, en = m.start(), m.end()
                    if (st, en) in spans:
                        continue
                    if st > 0 and alnum_start and f[st - 1].isalnum():
                        continue
                    if en < n and f[en].isalnum() and f[en - 1].isalnum():
                        continue
                    spans.add((st, en))
                    out.append(IndicatorHit(e.category, e.language, e.weight, st, en, m.group(0), e.pattern))
        out.sort(key=lambda h: (h.start, h.end, h.category, h.pattern))
        return out


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _auto_anchor(pattern: str) -> tuple[str, ...]:
    if re.fullmatch(r"[a-z0-9 ']+", pattern):
        words = re.findall(r"[a-z0-9_]+", pattern)
        return (max(words, key=len),) if words else ()
    if not re.search(r"[\\()\[\]?*+|{}.^$]", pattern):
        return (pattern,)
    return ()


def _load_packaged(text: str):
    """A packaged YAML file, with libyaml's parser where installed (8x faster: every scan worker loads the
    lexicons; a test checks that both parsers read the packaged files alike). Files given by a user are read by
    ``yaml.safe_load``, as always."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def load_entries(path: Path | str, text: str | None = None) -> tuple[list[Entry], str]:
    name = Path(path).name
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if text is None else _load_packaged(text)
    if not isinstance(data, dict) or "entries" not in data:
        raise LexiconError(f"{name}: expected a mapping with 'entries'")
    out = []
    for i, raw in enumerate(data["entries"]):
        missing = [k for k in REQUIRED if k not in raw]
        if missing:
            raise LexiconError(f"{name}: entry {i} lacks {', '.join(missing)}")
        if raw["category"] not in CATEGORIES:
            raise LexiconError(f"{name}: entry {i} has unknown category {raw['category']!r}")
        pat = fold(str(raw["pattern"]))
        try:
            rx = re.compile(pat + r"(?![a-z0-9])" if pat[:1].isalnum() else "(?:" + pat + r")(?![a-z0-9])")
        except re.error as exc:
            raise LexiconError(f"{name}: entry {i} pattern does not compile: {exc}") from exc
        anchor = raw.get("anchor")
        if anchor is None:
            anchors = _auto_anchor(pat)
        else:
            anchors = tuple(fold(a) for a in ([anchor] if isinstance(anchor, str) else anchor))
            for a in anchors:
                if a not in pat:
                    raise LexiconError(f"{name}: entry {i} anchor {a!r} does not occur in its pattern")
        out.append(
            Entry(raw["category"], str(raw["language"]), float(raw["weight"]), pat, str(raw["source"]), rx,
                  anchors, name)
        )  # fmt: skip
    return out, str(data.get("version", "unversioned"))


def load_lexicon(paths: list[Path | str] | None = None) -> Lexicon:
    """The packaged lexicons (``lexicons/*.yaml``), or the given files instead."""
    entries: list[Entry] = []
    versions: dict[str, str] = {}
    if paths:
        for p in paths:
            es, v = load_entries(p)
            entries.extend(es)
            versions[Path(p).name] = v
    else:
        base = resources.files("threadline.engines.online") / "lexicons"
        for item in sorted(base.iterdir(), key=lambda x: x.name):
            if item.name.endswith(".yaml"):
                es, v = load_entries(item.name, item.read_text(encoding="utf-8"))
                entries.extend(es)
                versions[item.name] = v
    return Lexicon(entries, versions)


def load_risk_weights(path: Path | str | None = None) -> dict:
    if path:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return _load_packaged((resources.files("threadline.engines.online") / "risk.yaml").read_text(encoding="utf-8"))
