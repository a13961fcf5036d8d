"""Text normalisation for online ads.

Two views of a text are used:

* :func:`fold` is *length-preserving*: every character maps to exactly one character (NFKC where that gives
  one character, homoglyphs to Latin, accents stripped, emoji digits to digits, invisible characters to a
  space, lower case). Matches found on the folded text therefore have character spans that are valid in the
  original text, which lets the UI highlight the evidence.
* :func:`normalize_text` is the full Unicode NFKC form with the same substitutions, for display and search.
"""

from __future__ import annotations

import unicodedata

# Characters that look like Latin letters or digits (Cyrillic, Greek, a few symbols).
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ո": "n", "ⅼ": "l",
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t",
    "Х": "x", "І": "i", "Ј": "j", "Ѕ": "s",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    "İ": "i", "ı": "i", "ß": "s", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
    "⓪": "0", "⓿": "0", "🄌": "0", "🅾": "o",
}  # fmt: skip
_SPACE_LIKE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0f\ufe0e\u20e3\u180e\u034f"
# Emoji digits are written as DIGIT + U+FE0F + U+20E3 (keycap); the modifiers become spaces.


def _fold_char(ch: str) -> str:
    if ch in _HOMOGLYPHS:
        return _HOMOGLYPHS[ch]
    if ch in _SPACE_LIKE:
        return " "
    cat = unicodedata.category(ch)
    if cat.startswith("Z"):
        return " "
    if cat == "Cc" and ch not in "\n\t\r\x02":  # \x02 separates ads in a batch string
        return " "
    n = unicodedata.normalize("NFKC", ch)
    if len(n) != 1:
        n = ch
    d = unicodedata.normalize("NFKD", n)
    base = "".join(c for c in d if not unicodedata.combining(c))
    if len(base) == 1:
        n = base
    low = n.lower()
    if len(low) != 1:
        return n
    return low


class _FoldTable(dict):
    """Lazily filled translation table (str.translate calls __missing__ once per new character)."""

    def __missing__(self, cp: int) -> str:
        out = _fold_char(chr(cp))
        self[cp] = out
        return out


_TABLE = _FoldTable()
for _c in range(65, 91):
    _TABLE[_c] = chr(_c + 32)


_BMP: list[str] = []


def _bmp_table() -> str:
    """The fold of every character of the Basic Multilingual Plane, as a ``str.translate`` table.

    Built once per user and Unicode version and then read from :mod:`.datacache` (built, it takes a tenth of a
    second or more in every scan worker)."""
    if not _BMP:
        import unicodedata
        from pathlib import Path

        from threadline.engines.online import datacache

        parts = [Path(__file__).read_bytes(), unicodedata.unidata_version.encode()]
        codes = datacache.load_or_build("fold", parts, lambda: list(map(ord, _build_bmp_table())))
        _BMP.append("".join(map(chr, codes)))  # code points: JSON would pair two lone surrogates into one
    return _BMP[0]


def _build_bmp_table() -> str:
    out = []
    for i in range(0x10000):
        r = _fold_char(chr(i)) if not 0xD800 <= i <= 0xDFFF else chr(i)
        out.append(r if len(r) == 1 else chr(i))
    return "".join(out)


def fold(text: str) -> str:
    """Length-preserving fold: ``len(fold(t)) == len(t)`` for every string ``t``."""
    if text.isascii():
        return text.lower()
    t = text.translate(_BMP[0] if _BMP else _bmp_table())
    if b"\xf0" in text.encode("utf-8", "surrogatepass"):  # characters beyond the BMP (emoji, math digits)
        t = t.translate(_TABLE)
    return t


_BMP_NP: list = []


def fold_joined(texts: list[str], sep: str) -> str:
    """``sep.join(map(fold, texts))``, faster for many texts.

    The texts that are not ASCII and have no character beyond the BMP (the ones :func:`fold` translates with the
    BMP table) are translated together: their code points looked up in the table at once (numpy, UTF-32),
    instead of one ``str.translate`` each. The others are folded one by one, as before.
    """
    import numpy as np

    out: list[str | None] = [t.lower() if t.isascii() else None for t in texts]
    todo = [i for i, t in enumerate(out) if t is None]
    if not todo:
        return sep.join(out)  # type: ignore[arg-type]
    if not _BMP_NP:
        _BMP_NP.append(np.frombuffer((_BMP[0] if _BMP else _bmp_table()).encode("utf-32-le", "surrogatepass"),
                                     dtype=np.uint32))  # fmt: skip
    rest = [texts[i] for i in todo]
    cp = np.frombuffer("".join(rest).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _BMP_NP[0]
    if (cp >= 0x10000).any():  # characters beyond the BMP: the texts that fold translates twice go through it
        wide = [i for i, t in zip(todo, rest, strict=True) if b"\xf0" in t.encode("utf-8", "surrogatepass")]
        for i in wide:
            out[i] = fold(texts[i])
        todo = [i for i in todo if out[i] is None]
        rest = [texts[i] for i in todo]
        cp = np.frombuffer("".join(rest).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mapped = np.where(cp >= 0x10000, cp, table[cp & 0xFFFF])  # left as they are by the BMP table
    else:
        mapped = table[cp]
    folded = mapped.tobytes().decode("utf-32-le", "surrogatepass")
    pos = 0
    for i, t in zip(todo, rest, strict=True):
        out[i] = folded[pos : pos + len(t)]
        pos += len(t)
    return sep.join(out)  # type: ignore[arg-type]


def normalize_text(text: str) -> str:
    """Full normalisation for display and search: NFKC, homoglyphs, no invisible characters, collapsed spaces."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(_HOMOGLYPHS.get(c, c) for c in t)
    for c in _SPACE_LIKE:
        t = t.replace(c, "")
    return " ".join(t.split())
