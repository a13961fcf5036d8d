"""Identifier extraction from one ad's text: phones, emails, handles, URLs, prices, ages, names, cities.

Every finder works on the length-preserving :func:`~threadline.engines.online.normalize.fold` of the text,
so each :class:`Hit` carries a character span that is valid in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from threadline.engines.online.normalize import fold
from threadline.engines.online.phone_shortcut import shortcut
from threadline.engines.online.tokens import WordIndex

# --------------------------------------------------------------------------------------------- number words
NUMBER_WORDS: dict[str, str] = {}
for _lang_words in (
    "zero one two three four five six seven eight nine",  # English
    "cero uno dos tres cuatro cinco seis siete ocho nueve",  # Spanish
    "zero un deux trois quatre cinq six sept huit neuf",  # French (zéro folds to zero)
):
    for _i, _w in enumerate(_lang_words.split()):
        NUMBER_WORDS.setdefault(_w, str(_i))
NUMBER_WORDS.update({"oh": "0", "une": "1", "o": "0", "l": "1"})
_NUMBER_WORD_BYTES = frozenset(w.encode() for w in NUMBER_WORDS if len(w) > 1)
_PAD = "\x00"
# a + only opens a number ("+1 ...", "(+33) ..."): digits joined by + ("650+253+1234") are no phone
_PHONE_CAND = re.compile(r"[+(\d](?:(?<=\()\+)?[\d\s.\-()/_*•|,:~\x00ol]{5,60}[\dol]\x00*")
_LAST_CHUNK = re.compile(r"[\s.\-/_*•|,:~]+[^\s.\-/_*•|,:~]*$")


def _phone_view(f: str, index: WordIndex) -> tuple[str, bool]:
    """Replace number words by a digit padded with NUL (length preserved). Returns (view, words_replaced)."""
    occ = index.occurrences(_NUMBER_WORD_BYTES)
    if not len(occ):
        return f, False
    pieces = []
    last = 0
    for s, e in zip(index.starts[occ].tolist(), index.ends[occ].tolist(), strict=True):
        d = NUMBER_WORDS.get(f[s:e])
        if d is None:
            continue
        pieces.append(f[last:s])
        pieces.append(d + _PAD * (e - s - 1))
        last = e
    if not pieces:
        return f, False
    pieces.append(f[last:])
    return "".join(pieces), True


_TOKEN_SPLIT = re.compile(r"\d|[a-z]+")


@dataclass(slots=True)
class Hit:
    kind: str
    value: str
    start: int
    end: int
    raw: str
    obfuscated: bool = False


def _tokens_to_digits(raw: str) -> tuple[str, bool]:
    """Digits of a phone-like span that may contain number words, letter O for zero or l for one."""
    out = []
    obf = False
    for tok in _TOKEN_SPLIT.findall(raw):
        if tok.isdigit():
            out.append(tok)
            continue
        if tok in NUMBER_WORDS:
            out.append(NUMBER_WORDS[tok])
            obf = True
            continue
        if set(tok) <= {"o", "l"}:
            out.append(tok.replace("o", "0").replace("l", "1"))
            obf = True
            continue
        return "", False
    return "".join(out), obf


_NANP_REGIONS = frozenset(("US", "CA"))
_NANP_PREFIX_OK: dict[str, bool] = {}


def normalize_phone(digits: str, region: str | None) -> str | None:
    """E.164 form of a phone number given as digits (optionally with a leading +), or None if invalid.

    North American numbers take a fast path: their validity in ``phonenumbers`` depends on the area code and
    exchange only, so it is looked up once per six-digit prefix.
    """
    d = digits
    if d.startswith("+1") and len(d) == 12:
        d = d[2:]
    elif region in _NANP_REGIONS and not d.startswith("+"):
        if len(d) == 11 and d[0] == "1":
            d = d[1:]
        elif len(d) != 10:
            d = ""
    else:
        d = ""
    if len(d) == 10 and d.isdigit():
        ok = _NANP_PREFIX_OK.get(d[:6])
        if ok is None:
            ok = _normalize_phone_slow("+1" + d, None) is not None
            if len(_NANP_PREFIX_OK) < 500_000:
                _NANP_PREFIX_OK[d[:6]] = ok
        return "+1" + d if ok else None
    return _normalize_phone_slow(digits, region)


@lru_cache(maxsize=200_000)
def _normalize_phone_slow(digits: str, region: str | None) -> str | None:
    if not 7 <= len(digits.lstrip("+")) <= 15:
        return None
    return shortcut(digits, region) or _parse_phone(digits, region)


def _parse_phone(digits: str, region: str | None) -> str | None:
    try:
        num = phonenumbers.parse(digits, region or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        if region and not digits.startswith("+"):
            try:
                num = phonenumbers.parse("+" + digits, None)
            except phonenumbers.NumberParseException:
                return None
            if not phonenumbers.is_valid_number(num):
                return None
        else:
            return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


_SPAN_TABLE = {c: (chr(c) if 48 <= c <= 57 else None) for c in range(128)} | {ord("o"): "0", ord("l"): "1"}


def _span_digits(raw: str) -> tuple[str, bool]:
    if raw.isascii():
        return raw.translate(_SPAN_TABLE), ("o" in raw or "l" in raw)
    digits = []
    obf = False
    for ch in raw:
        if ch.isdigit():
            value = unicodedata.decimal(ch, None)  # other scripts' digits (٠١٢, ०१२) as ASCII digits
            if value is not None:
                digits.append(str(value))
        elif ch == "o" or ch == "l":
            digits.append("0" if ch == "o" else "1")
            obf = True
    return "".join(digits), obf


# dates (ISO, or day and month either way with a four-digit year and one separator) and times are no phones
_DATE_TIME = re.compile(
    r"(?:19|20)\d\d[-/.](?:1[0-2]|0?[1-9])[-/.](?:3[01]|[12]\d|0?[1-9])(?!\d)"
    r"|(?<!\d)\d{1,2}([-/.])\d{1,2}\1(?:19|20)\d\d(?!\d)"
    r"|\b\d{1,2}:\d{2}\b"
)
_SINGLE_DIGIT_GROUPS = re.compile(r"(?<!\d)\d(?!\d)")
_OBF_SEP = re.compile(r"[^\d+()\s.\-ol\x00]")
_LIST_SEP = re.compile(r"/|\s-|-\s")  # between two numbers of a list: "a/b", "a - b"


def _price_next_to(view: str, start: int, end: int) -> bool:
    """A currency sign or % right before or after the digits: a price or a share, not a phone."""
    for i in (start - 1, end):
        if 0 <= i < len(view):
            c = view[i]
            if c == "$" or c == "%" or (c > "\x7f" and unicodedata.category(c) == "Sc"):
                return True
    return False


def find_phones(f: str, region, words: WordIndex | None = None) -> list[Hit]:
    """Phones in folded text ``f`` (digits, number words in en/es/fr, letter O for zero, separators).

    ``region`` is an ISO country code (or None), or a function from a position in ``f`` to one (batch strings).
    Dates, times, prices (a currency sign or % next to the digits) and digit runs joined by ``+`` are not phones,
    as for ``phonenumbers.PhoneNumberMatcher``; a date next to a phone does not hide the phone, and phones joined
    by ``/`` are found one by one.
    """
    view, replaced = _phone_view(f, words if words is not None else WordIndex(f))
    region_at = region if callable(region) else None
    hits: list[Hit] = []
    pos = 0
    limit = len(view)  # a candidate is searched before a date found in the previous one, then after it
    resume = None
    while True:
        m = _PHONE_CAND.search(view, pos, limit)
        if m is None:
            if resume is None:
                break
            pos, limit, resume = resume, len(view), None
            continue
        raw = m.group(0)
        pos = m.end()
        if ":" in raw or "-" in raw or "/" in raw or "." in raw:
            date = _DATE_TIME.search(raw)
            if date is not None:  # look for a phone before the date, then go on after it
                pos, limit, resume = m.start(), m.start() + date.start(), m.start() + date.end()
                continue
        hit = _phone_in(f, view, m.start(), raw, replaced, region_at(m.start()) if region_at else region)
        if hit is None:
            split = _LIST_SEP.search(raw)
            if split is not None:  # "650-253-1234/650-253-1235", "... - ...": each side on its own
                pos, limit, resume = m.start(), m.start() + split.start(), m.start() + split.end()
            continue
        pos = hit.end
        hits.append(hit)
    return hits


def _phone_in(f: str, view: str, start: int, raw: str, replaced: bool, region: str | None) -> Hit | None:
    """The phone that the candidate ``raw`` at ``start`` holds (dropping up to two trailing groups), or None."""
    end = start + len(raw)
    # letters o/l only count inside a number, never as part of a word
    while raw and raw[-1] in "ol" and end < len(view) and view[end].isalpha():
        raw = raw[:-1].rstrip(" .-")
        end = start + len(raw)
    obf = replaced and _PAD in raw
    e164 = None
    for _ in range(3):
        d, o = _span_digits(raw)
        if len(d) < 7:
            break
        plus = raw.lstrip("(").startswith("+")
        e164 = normalize_phone(("+" if plus else "") + d, region)
        if e164 is not None:
            obf = obf or o
            break
        cut = _LAST_CHUNK.search(raw)
        if cut is None:
            break
        raw = raw[: cut.start()]
        end = start + len(raw)
    if e164 is None or _price_next_to(view, start, end):
        return None
    if not obf and (_OBF_SEP.search(raw) or len(_SINGLE_DIGIT_GROUPS.findall(raw)) >= 5):
        obf = True
    if not obf and not f[start:end].isascii():
        obf = True
    return Hit("phone", e164, start, end, f[start:end], obf)


# --------------------------------------------------------------------------------------------------- emails
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*(?:dot|punto|point)\s*[\)\]\}>]\s*|\s+(?:dot|punto|point)\s+)"
_TLDS = r"(?:com|net|org|info|biz|co|io|me|us|uk|fr|es|mx|ca|be|ch|de|eu|test|example|invalid|email|mail)"
_DOMAIN_PLAIN = re.compile(r"\s*([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24})\b")
_DOMAIN_OBF = re.compile(r"\s*([a-z0-9-]+(?:" + _DOT + r"[a-z0-9-]+)*" + _DOT + _TLDS + r")\b")
_AT_OBF = re.compile(r"\s*[\(\[\{<]\s*(?:at|arroba|arobase)\s*[\)\]\}>]|\s+(?:at|arroba|arobase)\s+")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._%+-")
_DOT_SUB = re.compile(_DOT)
_AT_WORDS = frozenset((b"at", b"arroba", b"arobase"))
_AT_OBF_SCAN = re.compile(r"[\(\[\{<]\s*(?:at|arroba|arobase)\s*[\)\]\}>]| (?:at|arroba|arobase) ")


def _local_before(f: str, i: int) -> tuple[int, str] | None:
    j = i
    while j > 0 and f[j - 1] == " ":
        j -= 1
    start = j
    lim = max(0, j - 64)
    while start > lim and f[start - 1] in _LOCAL_CHARS:
        start -= 1
    while start < j and f[start] in "._%+-":
        start += 1
    if start >= j:
        return None
    return start, f[start:j]


def find_emails(f: str, words: WordIndex | None = None) -> list[Hit]:
    """Emails, including "name at domain dot com", "(at)", "[dot]", "arroba", "arobase", "punto", "point"."""
    hits: list[Hit] = []
    i = f.find("@")
    while i != -1:
        lp = _local_before(f, i)
        dm = _DOMAIN_OBF.match(f, i + 1) or _DOMAIN_PLAIN.match(f, i + 1)
        if lp and dm:
            domain = _DOT_SUB.sub(".", dm.group(1))
            obf = f[lp[0] : dm.end()].count(" ") > 0 or domain != dm.group(1)
            hits.append(Hit("email", f"{lp[1]}@{domain}", lp[0], dm.end(), f[lp[0] : dm.end()], obf))
        i = f.find("@", i + 1)
    index = words if words is not None else WordIndex(f)
    occ = index.occurrences(_AT_WORDS)
    if not len(occ):
        return hits
    n = len(f)
    done: set[int] = set()
    for s, e in zip(index.starts[occ].tolist(), index.ends[occ].tolist(), strict=True):
        # the obfuscated "at" with its brackets or spaces lies within a few characters of the word
        for m in _AT_OBF_SCAN.finditer(f, max(0, s - 8), min(n, e + 8)):
            if m.start() in done or not m.start() <= s < m.end():
                continue
            done.add(m.start())
            lp = _local_before(f, m.start())
            dm = _DOMAIN_OBF.match(f, m.end())
            if lp and dm:
                domain = _DOT_SUB.sub(".", dm.group(1))
                hits.append(Hit("email", f"{lp[1]}@{domain}", lp[0], dm.end(), f[lp[0] : dm.end()], True))
    return hits


def normalize_email(value: str) -> str | None:
    hits = find_emails(fold(value.strip()))
    return hits[0].value if hits else None


# -------------------------------------------------------------------------------------------------- handles
PLATFORMS = {
    "whatsapp": "whatsapp", "whats app": "whatsapp", "wa": "whatsapp", "wsp": "whatsapp", "watsap": "whatsapp",
    "telegram": "telegram", "tg": "telegram", "telegrama": "telegram", "snapchat": "snapchat", "snap": "snapchat",
    "sc": "snapchat", "instagram": "instagram", "insta": "instagram", "ig": "instagram", "signal": "signal",
    "kik": "kik", "wechat": "wechat", "line": "line", "skype": "skype", "viber": "viber", "tiktok": "tiktok",
}  # fmt: skip
_PLAT_ALT = "|".join(sorted((re.escape(k) for k in PLATFORMS), key=len, reverse=True))
HANDLE = re.compile(
    r"(" + _PLAT_ALT + r")\b\s*+(?:id|handle|user)?\s*+[:=\-–>]*+\s*+(?:@\s*+)?([a-z][a-z0-9_.]{2,31})\b"
)
HANDLE_URL = re.compile(r"\b(t\.me|telegram\.me|instagram\.com|snapchat\.com/add|kik\.me|wa\.me)/([a-z0-9_.+]{3,32})")
_URL_PLAT = {"t.me": "telegram", "telegram.me": "telegram", "instagram.com": "instagram",
             "snapchat.com/add": "snapchat", "kik.me": "kik", "wa.me": "whatsapp"}  # fmt: skip
_URL_NEEDLES = tuple(k + "/" for k in _URL_PLAT)
_HANDLE_STOP = {"me", "only", "and", "or", "for", "the", "with", "para", "pour", "avec", "y", "et", "del", "ok",
                "available", "disponible", "message", "mensaje", "text", "call", "just", "same", "number"}  # fmt: skip


_PLATFORM_WORDS = frozenset(k.encode() for k in PLATFORMS if " " not in k) | {b"whats"}


def find_handles(f: str, words: WordIndex | None = None) -> list[Hit]:
    hits: list[Hit] = []
    index = words if words is not None else WordIndex(f)
    plat_occ = index.occurrences(_PLATFORM_WORDS)
    has_words = len(plat_occ) > 0
    if not has_words and "/" not in f:
        return hits
    url_starts = set()
    if "/" in f:
        for nd in _URL_NEEDLES:
            i = f.find(nd)
            while i != -1:
                url_starts.add(i)
                i = f.find(nd, i + 1)
    for st in sorted(url_starts):
        m = HANDLE_URL.match(f, st)
        if m is None:
            continue
        plat = _URL_PLAT[m.group(1)]
        name = m.group(2).strip(".")
        if plat == "whatsapp":
            continue  # wa.me/<digits> is a phone and is found by the phone finder
        hits.append(Hit("handle", f"{plat}:{name}", m.start(), m.end(), m.group(0), False))
    if not has_words:
        return hits
    starts = index.starts[plat_occ].tolist()
    for st in starts:
        m = HANDLE.match(f, st)
        if m is None:
            continue
        name = m.group(2).strip(".")
        if name in _HANDLE_STOP or name in PLATFORMS:
            continue
        plat = PLATFORMS[m.group(1)]
        hits.append(Hit("handle", f"{plat}:{name}", m.start(), m.end(), m.group(0), False))
    return hits


# ----------------------------------------------------------------------------------------------------- URLs
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+")


def find_urls(f: str) -> list[Hit]:
    hits: list[Hit] = []
    if "http" not in f and "www." not in f:
        return hits
    for m in URL.finditer(f):
        u = m.group(0).rstrip(".,;:!?")
        norm = re.sub(r"^https?://", "", u)
        norm = re.sub(r"^www\.", "", norm).rstrip("/")
        hits.append(Hit("url", norm, m.start(), m.start() + len(u), u, False))
    return hits


# --------------------------------------------------------------------------------------------------- prices
_CUR = {"$": "USD", "usd": "USD", "dollars": "USD", "dolares": "USD", "dollar": "USD", "€": "EUR", "eur": "EUR",
        "euros": "EUR", "euro": "EUR", "£": "GBP", "gbp": "GBP", "pounds": "GBP", "roses": "USD", "rosas": "USD",
        "🌹": "USD"}  # fmt: skip
_UNIT = {"hr": "hour", "hour": "hour", "h": "hour", "hora": "hour", "heure": "hour", "hh": "half_hour",
         "half hour": "half_hour", "30 min": "half_hour", "30min": "half_hour", "media hora": "half_hour",
         "demi-heure": "half_hour", "demi heure": "half_hour", "session": "session", "sesion": "session",
         "seance": "session", "day": "day", "dia": "day", "jour": "day", "night": "night", "noche": "night",
         "nuit": "night", "week": "week", "semana": "week", "semaine": "week", "month": "month", "mes": "month",
         "mois": "month"}  # fmt: skip
_UNIT_ALT = "|".join(sorted((re.escape(k) for k in _UNIT), key=len, reverse=True))
_UNIT_TAIL = r"(?:\s*(?:/|per|an|a|por|par|la|el|le|each)?\s*(?P<unit>" + _UNIT_ALT + r")\b)?"
PRICE_PRE = re.compile(r"(?P<c1>[$€£])\s?(?P<a1>\d{2,5})(?:[.,]\d{2})?(?!\d)" + _UNIT_TAIL)
_AMOUNT_BEFORE = re.compile(r"(?<![\d.,])\d{2,5}(?:[.,]\d{2})?\s?$")
PRICE_POST = re.compile(
    r"(?P<a2>\d{2,5})(?:[.,]\d{2})?\s?(?P<c2>[$€£🌹]|usd|euros?|eur|gbp|dollars?|dolares|pounds|roses|rosas)"
    r"(?![a-z])" + _UNIT_TAIL
)
_CUR_WORDS = frozenset(
    w.encode() for w in ("usd", "eur", "euro", "euros", "gbp", "dollar", "dollars", "dolares", "pounds", "roses",
                         "rosas")
)  # fmt: skip


@dataclass(slots=True)
class Price:
    amount: float
    currency: str
    unit: str
    start: int
    end: int


def find_prices(f: str, words: WordIndex | None = None) -> list[Price]:
    out: list[Price] = []
    if "$" in f or "€" in f or "£" in f:
        for m in PRICE_PRE.finditer(f):
            unit = _UNIT.get(m.group("unit") or "", "")
            out.append(Price(float(m.group("a1")), _CUR[m.group("c1")], unit, m.start(), m.end()))
    index = words if words is not None else WordIndex(f)
    cands = set()
    for nd in ("$", "€", "£", "🌹"):
        i = f.find(nd)
        while i != -1:
            m = _AMOUNT_BEFORE.search(f, max(0, i - 12), i)
            if m is not None:
                cands.add(m.start())
            i = f.find(nd, i + 1)
    for i in index.positions(_CUR_WORDS):
        m = _AMOUNT_BEFORE.search(f, max(0, i - 12), i)
        if m is not None:
            cands.add(m.start())
    for st in sorted(cands):
        m = PRICE_POST.match(f, st)
        if m is not None:
            unit = _UNIT.get(m.group("unit") or "", "")
            out.append(Price(float(m.group("a2")), _CUR.get(m.group("c2"), "USD"), unit, m.start(), m.end()))
    return out


# ----------------------------------------------------------------------------------------------------- ages
AGE = re.compile(
    r"\b(?:(?:age|aged|edad|tengo|j'ai|i am|i'm|im)\s*:?\s*(?P<a1>\d{2})\b(?!\s*(?:h|hr|min|\$|€|%))"
    r"|(?P<a2>\d{2})\s*(?:yo|y/o|years? old|yrs?|anos|ans)\b)"
)


_AGE_WORDS = frozenset(
    w.encode() for w in ("age", "aged", "edad", "tengo", "ai", "am", "im", "m", "yo", "years", "year", "yrs", "yr",
                         "anos", "ans", "y")
)  # fmt: skip


def find_ages(f: str, words: WordIndex | None = None) -> list[Hit]:
    out: list[Hit] = []
    index = words if words is not None else WordIndex(f)
    occ = index.occurrences(_AGE_WORDS)
    n = len(f)
    found: dict[int, re.Match[str]] = {}
    # a stated age lies within a few characters of one of the age words ("i'm 24", "24 years old")
    for s, e in zip(index.starts[occ].tolist(), index.ends[occ].tolist(), strict=True):
        for m in AGE.finditer(f, max(0, s - 8), min(n, e + 12)):
            if m.start() <= s < m.end():
                found.setdefault(m.start(), m)
    end = -1
    for st in sorted(found):  # non-overlapping, leftmost first, as one scan of the whole text would give
        m = found[st]
        if st < end:
            continue
        end = m.end()
        a = int(m.group("a1") or m.group("a2"))
        if 12 <= a <= 70:
            out.append(Hit("age", str(a), m.start(), m.end(), m.group(0)))
    return out


# ---------------------------------------------------------------------------------------------------- names
_INTROS = ("my name is", "i am", "i'm", "call me", "ask for", "me llamo", "mi nombre es", "soy", "preguntar por",
           "je m'appelle", "je suis", "demandez", "moi c'est")  # fmt: skip
_NAME_AFTER = re.compile(r"\s+([A-Z][a-z]{2,14})\b")
_NAME_STOP = {"The", "New", "Available", "Here", "Back", "Very", "Nueva", "Nuevo", "Nouvelle", "Nouveau", "Your",
              "Disponible", "Just", "Only", "Not", "From", "In", "En", "Una", "Un", "Une", "La", "Le", "El",
              "Ready", "Open", "Friendly", "Happy", "Sweet", "Lista", "Prete", "Aqui", "Ici", "Tres",
              "Muy"}  # fmt: skip


_INTROS_BY_LAST: dict[bytes, tuple[str, ...]] = {}
for _intro in _INTROS:
    _last = re.findall(r"[a-z]+", _intro)[-1].encode()
    _INTROS_BY_LAST[_last] = (*_INTROS_BY_LAST.get(_last, ()), _intro)


def find_names(text: str, words: WordIndex | None = None, folded: str | None = None) -> list[Hit]:
    """Persona names after an explicit introduction ("my name is", "me llamo", "je m'appelle" ...)."""
    out: list[Hit] = []
    low = folded if folded is not None else fold(text)
    index = words if words is not None else WordIndex(low)
    for last, ix in index.by_word(_INTROS_BY_LAST):
        intros = _INTROS_BY_LAST[last]
        for e in index.ends[ix].tolist():
            for intro in intros:
                i = e - len(intro)
                if i < 0 or low[i:e] != intro or (i > 0 and low[i - 1].isalnum()):
                    continue
                m = _NAME_AFTER.match(text, e)
                if m is not None and m.group(1) not in _NAME_STOP:
                    out.append(Hit("name", m.group(1), m.start(1), m.end(1), m.group(1)))
                break
    out.sort(key=lambda h: h.start)
    return out


def normalize_query(query: str, region: str | None = None) -> list[tuple[str, str]]:
    """Normalise an identifier typed in a search box the same way extraction does.

    Returns a list of ``(kind, value)`` candidates to look up in ``entities.parquet`` (``kind`` is phone, email,
    handle or url). A phone in any format (``(202) 555-0123``, ``+1 202 555 0123``, ``two zero two ...``) gives
    its E.164 form; an email gives its lower-case de-obfuscated form; ``@name`` or ``telegram: name`` gives
    ``platform:name`` (or every platform when none is named).
    """
    q = query.strip()
    if not q:
        return []
    f = fold(q)
    words = WordIndex(f)  # one index of the query for every finder
    out: list[tuple[str, str]] = []
    for h in find_emails(f, words):
        out.append(("email", h.value))
    if out:
        return out
    for h in find_handles(f, words):
        out.append(("handle", h.value))
    if out:
        return out
    for h in find_phones(f, region, words):
        out.append(("phone", h.value))
    if not out:
        digits, _ = _tokens_to_digits(re.sub(r"[^\w+]", " ", f))
        if digits:
            e = normalize_phone(("+" if f.startswith("+") else "") + digits, region)
            if e:
                out.append(("phone", e))
    if out:
        return out
    for h in find_urls(f):
        out.append(("url", h.value))
    if out:
        return out
    name = f.lstrip("@").strip()
    if re.fullmatch(r"[a-z][a-z0-9_.]{2,31}", name):
        out.extend(("handle", f"{p}:{name}") for p in sorted(set(PLATFORMS.values())))
    return out
