"""Privacy-preserving encodings of identifiers, computed inside the partner organisation.

Raw names and dates of birth never leave the organisation that holds them. Each agency normalises them
and computes, with a linkage key shared by the participating agencies (never by the platform operator):

* keyed hashes (HMAC-SHA-256, truncated to 128 bits, domain-separated per kind of value) of the normalised
  given name, family name, their phonetic skeletons (to absorb transliteration), the date of birth, the date
  with day and month sorted (absorbs transposed day/month), month-day and year of birth;
* Bloom-filter encodings (256 bits, 10 keyed hash positions per padded character bigram) of each name, so
  that typos still give a high Dice similarity.

Given and family names share one domain (``name``, ``name_ph`` and the ``name`` Bloom filter): the same name
gives the same encodings in either field, so linkage can recognise given and family names written the other
way round. A name that is a single letter (an initial) is encoded as its leading bigram only; its Bloom filter
is then contained in the filter of every name with that first letter, which lets linkage compare initials.

Names in any script are first transliterated to Latin letters (``anyascii``: Мухаммед -> mukhammed,
محمد -> mhmd), so that records written in Cyrillic, Arabic, Greek, Hebrew or Chinese get encodings too and the
phonetic skeleton can meet the Latin spellings of the same name. ``ENCODING_VERSION`` is part of the key
fingerprint: encodings made by different versions are never compared by mistake.

Linkage runs on these encodings only. Without the key the HMACs cannot be reversed by a dictionary attack;
Bloom filters of names are weaker (frequency attacks on common names are known), so keep the key secret
and do not publish encodings.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pyarrow as pa
from anyascii import anyascii

from threadline.engines.insights.schema import ENCODING_COLUMNS

ENCODING_VERSION = 3  # 1: Latin letters only (other scripts gave no encodings); 2: transliteration;
# 3: one domain for given and family names (swapped names), initials as their leading bigram
BLOOM_BITS = 256
BLOOM_HASHES = 10
_DIGEST_HEX = 32

__all__ = [
    "BLOOM_BITS",
    "ENCODING_COLUMNS",
    "Encoder",
    "bigrams",
    "dice",
    "encode_identifiers",
    "key_id",
    "normalise_date",
    "normalise_name",
    "phonetic_key",
]

_NON_ALPHA = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
# Transliteration folds applied before the consonant skeleton (order matters: digraphs first).
_FOLDS = [
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "s"),
    ("ch", "s"),
    ("zh", "j"),
    ("dj", "j"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("z", "s"),
    ("w", "v"),
    ("x", "ks"),
    ("y", "i"),
]


def normalise_name(value: object) -> str:
    """Lower-case ASCII letters and single spaces: accents stripped, other scripts transliterated, punctuation
    and digits dropped."""
    if value is None:
        return ""
    return _normalise_text(str(value))


@lru_cache(maxsize=1 << 16)
def _normalise_text(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text.isascii():
        text = anyascii(text)  # other scripts and letters such as ø, ł, ß to Latin letters
    text = text.lower()
    text = text.replace("-", " ").replace("'", "")
    return _SPACES.sub(" ", _NON_ALPHA.sub("", text)).strip()


@lru_cache(maxsize=1 << 16)
def _phonetic_cached(value: str) -> str:
    return _phonetic(value)


def phonetic_key(value: object) -> str:
    """A consonant skeleton that maps common transliteration variants of one name to one key.

    ``Mohammed``/``Muhammad``, ``Youssef``/``Yusuf`` and ``Khalid``/``Halid`` give the same key: digraphs are
    folded, vowels after the first letter dropped and repeated letters collapsed.
    """
    return _phonetic_cached(normalise_name(value))


def _phonetic(normalised: str) -> str:
    name = normalised.replace(" ", "")
    if not name:
        return ""
    for old, new in _FOLDS:
        name = name.replace(old, new)
    head, tail = name[0], name[1:]
    if head in "aeiou":
        head = "a"
    tail = re.sub(r"[aeiouh]", "", tail)
    out = head
    for ch in tail:
        if ch != out[-1]:
            out += ch
    return out


def normalise_date(value: object) -> _dt.date | None:
    """Parse an ISO date (``YYYY-MM-DD``), a ``datetime.date`` or ``DD/MM/YYYY``; None when unusable."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = str(value).strip()
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return _dt.date(year, month, day)
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def bigrams(name: str) -> list[str]:
    """Character bigrams of a normalised name, padded with one space either side; an initial (a one-letter
    name) gives only its leading bigram, so that its Bloom filter is contained in those of the full names."""
    if not name:
        return []
    if len(name) == 1:
        return [f" {name}"]
    padded = f" {name} "
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def dice(a_hex: str, b_hex: str) -> float:
    """Dice similarity of two hex-encoded Bloom filters (reference implementation; linkage does it in SQL)."""
    a, b = int(a_hex, 16), int(b_hex, 16)
    total = a.bit_count() + b.bit_count()
    return 2 * (a & b).bit_count() / total if total else 0.0


def key_id(key: bytes) -> str:
    """A short public fingerprint of a linkage key and the encoding version: encodings are only compared when
    both are the same."""
    return hmac.new(key, f"threadline-linkage-key-id:v{ENCODING_VERSION}".encode(), hashlib.sha256).hexdigest()[:16]


class Encoder:
    """Encodes identifiers with one linkage key; reuse one instance for many rows (caches bigrams)."""

    def __init__(self, key: bytes | str):
        if isinstance(key, str):
            key = key.encode()
        if len(key) < 16:
            raise ValueError("the linkage key must be at least 16 bytes")
        self._key = key
        self.key_id = key_id(key)
        self._positions = lru_cache(maxsize=65536)(self._bigram_positions)
        self._digest = lru_cache(maxsize=1 << 18)(self._digest_uncached)

    def _digest_uncached(self, field: str, value: str) -> str:
        msg = field.encode() + b"\x1f" + value.encode()
        return hmac.digest(self._key, msg, "sha256")[: _DIGEST_HEX // 2].hex()

    def hmac(self, field: str, value: str) -> str | None:
        """HMAC-SHA-256 of ``field`` and ``value``, truncated to 128 bits, as hex (None for empty)."""
        if not value:
            return None
        return self._digest(field, value)

    def _bigram_positions(self, field: str, gram: str) -> int:
        digest = hmac.new(self._key, b"bf\x1f" + field.encode() + b"\x1f" + gram.encode(), hashlib.sha256).digest()
        mask = 0
        for i in range(BLOOM_HASHES):
            mask |= 1 << (int.from_bytes(digest[2 * i : 2 * i + 2], "big") % BLOOM_BITS)
        return mask

    def bloom(self, field: str, name: str) -> str | None:
        grams = bigrams(name)
        if not grams:
            return None
        mask = 0
        for gram in grams:
            mask |= self._positions(field, gram)
        return f"{mask:0{BLOOM_BITS // 4}x}"

    def encode(
        self, given_name: object = None, family_name: object = None, date_of_birth: object = None
    ) -> dict[str, str | None]:
        given, family = normalise_name(given_name), normalise_name(family_name)
        dob = normalise_date(date_of_birth)
        out: dict[str, str | None] = {
            "enc_key_id": self.key_id,
            "enc_given": self.hmac("name", given),
            "enc_family": self.hmac("name", family),
            "enc_given_ph": self.hmac("name_ph", phonetic_key(given)),
            "enc_family_ph": self.hmac("name_ph", phonetic_key(family)),
            "bf_given": self.bloom("name", given),
            "bf_family": self.bloom("name", family),
            "enc_dob": None,
            "enc_dob_canon": None,
            "enc_dob_md": None,
            "enc_dob_ym": None,
            "enc_yob": None,
        }
        if dob is not None:
            low, high = sorted((dob.day, dob.month))
            out["enc_dob"] = self.hmac("dob", dob.isoformat())
            out["enc_dob_canon"] = self.hmac("dob_canon", f"{dob.year:04d}-{low:02d}-{high:02d}")
            out["enc_dob_md"] = self.hmac("dob_md", f"{dob.month:02d}-{dob.day:02d}")
            out["enc_dob_ym"] = self.hmac("dob_ym", f"{dob.year:04d}-{dob.month:02d}")
            out["enc_yob"] = self.hmac("yob", f"{dob.year:04d}")
        return out


def encode_identifiers(rows: Iterable[Mapping[str, object]], key: bytes | str) -> pa.Table:
    """Encode ``given_name``, ``family_name`` and ``date_of_birth`` of each row; returns only encodings.

    The result has one row per input row and the string columns of
    :data:`threadline.engines.insights.schema.ENCODING_COLUMNS`. Missing or unusable values give nulls.
    """
    enc = Encoder(key)
    cols: dict[str, list[str | None]] = {name: [] for name in ENCODING_COLUMNS}
    for row in rows:
        encoded = enc.encode(row.get("given_name"), row.get("family_name"), row.get("date_of_birth"))
        for name in ENCODING_COLUMNS:
            cols[name].append(encoded[name])
    return pa.table({name: pa.array(values, pa.string()) for name, values in cols.items()})
