"""Seeded synthetic multi-agency case records with planted duplicates and ground truth.

Nobody in this data exists. Names come from a small invented syllable generator; dates of birth are drawn
at random. Shares are calibrated to the UNODC Global Report on Trafficking in Persons 2024 (detected victims,
2022): girls 22 %, boys 16 %, women 39 %, men 23 %; 60 % of girls trafficked for sexual exploitation; boys
mostly for forced labour (45 %) and other purposes such as forced criminality and begging (47 %); forced
criminality about 8 % of all victims. Shares for adults' purposes are rough illustrative values.

Some victims are recorded by several agencies (the planted duplicates). Each record is noisy the way
real registrations are: typos, transliteration variants, day and month transposed, a year off by one,
missing fields. ``truth.csv`` says which records belong to the same (made-up) person.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from threadline.engines.insights.schema import (
    AGE_BROAD,
    MEANS_OF_CONTROL,
    RECRUITER_RELATION,
    TYPE_OF_SEX,
)

__all__ = ["SyntheticData", "age_broad", "generate", "make_name_pools", "write_agency_files"]

_ONSETS = [
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "sh",
    "kh",
    "ch",
    "y",
    "h",
    "j",
]
_VOWELS = ["a", "e", "i", "o", "u", "ou", "ai", "ee"]
_CODAS = ["", "", "", "", "n", "r", "l", "s", "m", "t"]
# Transliteration variants (both directions are used).
_TRANSLIT = [
    ("ou", "u"),
    ("kh", "h"),
    ("sh", "ch"),
    ("ee", "i"),
    ("y", "i"),
    ("j", "dj"),
    ("k", "q"),
    ("f", "ph"),
    ("v", "w"),
    ("ai", "ay"),
    ("s", "z"),
]
_COUNTRIES = [
    "NG",
    "VN",
    "RO",
    "UA",
    "TH",
    "PH",
    "ID",
    "BD",
    "MX",
    "GT",
    "ET",
    "KE",
    "UG",
    "MM",
    "AL",
    "BR",
    "IN",
    "NP",
]
_EXPLOITATION_COUNTRIES = ["US", "GB", "DE", "IT", "TH", "MY", "AE", "SA", "ES", "FR", "ZA", "KE", "IN", "RU"]
_LABOUR = [
    "Agriculture",
    "Construction",
    "DomesticWork",
    "Hospitality",
    "Manufacturing",
    "Aquafarming",
    "Begging",
]
# (sexual, labour, criminality, other) by group: girls, boys, women, men.
PURPOSES = {
    "girl": (0.60, 0.21, 0.06, 0.13),
    "boy": (0.08, 0.45, 0.25, 0.22),
    "woman": (0.64, 0.26, 0.04, 0.06),
    "man": (0.07, 0.80, 0.07, 0.06),
}
GROUP_SHARES = {"girl": 0.22, "boy": 0.16, "woman": 0.39, "man": 0.23}


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def _invent(rng: random.Random, low: int, high: int) -> str:
    return "".join(_syllable(rng) for _ in range(rng.randint(low, high))).capitalize()


def make_name_pools(seed: int, given: int = 6000, family: int = 40000) -> tuple[list[str], list[str], list[str]]:
    """Invented female given names, male given names and family names (distinct within each pool)."""
    rng = random.Random(seed * 7919 + 1)

    def pool(size: int, low: int, high: int, ending: tuple[str, ...]) -> list[str]:
        names: dict[str, None] = {}
        while len(names) < size:
            name = _invent(rng, low, high)
            if ending:
                name = name.rstrip("aeiou") + rng.choice(ending)
            names[name] = None
        return list(names)

    return (
        pool(given, 1, 3, ("a", "i", "e")),
        pool(given, 1, 3, ("o", "u", "an", "im")),
        pool(family, 2, 3, ()),
    )


def _zipf_weights(size: int) -> np.ndarray:
    w = 1.0 / (np.arange(size) + 20.0) ** 0.9
    return w / w.sum()


def age_broad(age: int) -> str:
    bounds = [8, 17, 20, 23, 26, 29, 38, 47]
    for bound, label in zip(bounds, AGE_BROAD, strict=False):
        if age <= bound:
            return label
    return AGE_BROAD[-1]


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 3:
        return name
    i = rng.randrange(1, len(name) - 1)
    op = rng.random()
    letters = "abdeghiklmnorstuy"
    if op < 0.3:
        return name[:i] + rng.choice(letters) + name[i + 1 :]
    if op < 0.55:
        return name[:i] + name[i + 1 :]
    if op < 0.8:
        return name[:i] + rng.choice(letters) + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def _translit(rng: random.Random, name: str) -> str:
    low = name.lower()
    options = [(a, b) for a, b in _TRANSLIT if a in low] + [(b, a) for a, b in _TRANSLIT if b in low]
    if not options:
        return name
    a, b = rng.choice(options)
    return low.replace(a, b, 1).capitalize()


@dataclass
class SyntheticData:
    table: pa.Table  # one row per record: agency, case_id, person_id, raw synthetic identifiers, attributes
    key: bytes

    @property
    def truth(self) -> pa.Table:
        return self.table.select(["agency", "case_id", "person_id"])


def _pick(rng: np.random.Generator, options: list[str], p: np.ndarray | list[float] | None, n: int) -> np.ndarray:
    return rng.choice(np.array(options, dtype=object), size=n, p=p)


def generate(
    n: int,
    agencies: int = 3,
    seed: int = 0,
    *,
    dup_rate: float = 0.3,
    error_rate: float = 1.0,
) -> SyntheticData:
    """``n`` records from ``agencies`` agencies; about ``dup_rate`` of people are seen by 2-4 agencies.

    ``error_rate`` scales every error probability (0 gives exact duplicates).
    """
    if n < 1 or agencies < 1:
        raise ValueError("n and agencies must be positive")
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    females, males, families = make_name_pools(seed)
    # copies per person: 1, or 2-4 (capped by the number of agencies)
    est_people = int(n / (1 + dup_rate * 1.35)) + 16
    extra = np.where(rng.random(est_people) < dup_rate, rng.choice([1, 2, 3], est_people, p=[0.7, 0.25, 0.05]), 0)
    copies = np.minimum(1 + extra, max(agencies, 1)) if agencies > 1 else np.ones(est_people, dtype=int)
    while copies.sum() < n:
        copies = np.concatenate([copies, np.ones(n - int(copies.sum()), dtype=int)])
    cum = np.cumsum(copies)
    people = int(np.searchsorted(cum, n) + 1)
    copies = copies[:people].copy()
    copies[-1] -= int(cum[people - 1] - n)

    groups = _pick(rng, list(GROUP_SHARES), list(GROUP_SHARES.values()), people)
    child = np.isin(groups, ["girl", "boy"])
    female = np.isin(groups, ["girl", "woman"])
    child_age = rng.choice(np.arange(0, 18), people, p=_child_age_p())
    adult_age = np.clip(rng.gamma(4.0, 6.0, people) + 16, 18, 70).astype(int)
    age = np.where(child, child_age, adult_age)
    reg_year = rng.integers(2018, 2025, people)
    birth = np.array([dt.date(2000, 1, 1).toordinal()] * people)
    doy = rng.integers(0, 365, people)
    birth_year = reg_year - age
    birth = np.array([dt.date(int(y), 1, 1).toordinal() + int(d) for y, d in zip(birth_year, doy, strict=True)])
    purpose = np.empty(people, dtype=object)
    for g, shares in PURPOSES.items():
        idx = np.flatnonzero(groups == g)
        purpose[idx] = _pick(rng, ["sexual", "labour", "criminality", "other"], list(shares), len(idx))
    gw, fw = _zipf_weights(len(females)), _zipf_weights(len(families))
    given_f = rng.choice(len(females), people, p=gw)
    given_m = rng.choice(len(males), people, p=gw)
    family = rng.choice(len(families), people, p=fw)
    citizenship = _pick(rng, _COUNTRIES, None, people)
    domestic = rng.random(people) < 0.45
    exploit_country = np.where(domestic, citizenship, _pick(rng, _EXPLOITATION_COUNTRIES, None, people))
    labour_type = _pick(rng, _LABOUR, [0.25, 0.18, 0.2, 0.12, 0.12, 0.05, 0.08], people)
    sex_type = _pick(rng, TYPE_OF_SEX, [0.7, 0.12, 0.1, 0.08], people)
    recruiter = _pick(rng, RECRUITER_RELATION, [0.2, 0.25, 0.25, 0.15, 0.15], people)
    moc = rng.random((people, len(MEANS_OF_CONTROL))) < np.array(
        [0.15, 0.2, 0.1, 0.35, 0.4, 0.25, 0.12, 0.3, 0.08, 0.3, 0.05, 0.2, 0.02, 0.05, 0.1, 0.15, 0.05, 0.0]
    )
    datasource = _pick(rng, ["Case Management", "Hotline"], [0.85, 0.15], people)

    total = int(copies.sum())
    person_of = np.repeat(np.arange(people), copies)
    copy_no = np.concatenate([np.arange(c) for c in copies]) if total else np.array([], int)
    # distinct agencies per person
    agency = np.empty(total, dtype=int)
    start = 0
    for c in copies:
        agency[start : start + c] = rng.choice(agencies, c, replace=False) if c > 1 else rng.integers(0, agencies)
        start += c
    r = rng.random((total, 12))
    e = error_rate
    given_out: list[str | None] = []
    family_out: list[str | None] = []
    dob_out: list[str | None] = []
    for i in range(total):
        p = person_of[i]
        g = females[given_f[p]] if female[p] else males[given_m[p]]
        f = families[family[p]]
        ri = r[i]
        if ri[0] < 0.10 * e:
            g = _typo(prng, g)
        if ri[1] < 0.10 * e:
            f = _typo(prng, f)
        if ri[2] < 0.08 * e:
            g = _translit(prng, g)
        if ri[3] < 0.08 * e:
            f = _translit(prng, f)
        d = dt.date.fromordinal(int(birth[p]))
        if ri[4] < 0.06 * e and d.day <= 12 and d.day != d.month:
            d = dt.date(d.year, d.day, d.month)
        if ri[5] < 0.03 * e:
            d = dt.date(d.year + (1 if ri[6] < 0.5 else -1), d.month, min(d.day, 28))
        if ri[7] < 0.03 * e:
            d = d + dt.timedelta(days=1 if ri[6] < 0.5 else -1)
        given_out.append(None if ri[8] < 0.01 * e else g)
        family_out.append(None if ri[9] < 0.01 * e else f)
        dob_out.append(None if ri[10] < 0.04 * e else d.isoformat())
    reg = reg_year[person_of] + np.where((copy_no > 0) & (r[:, 11] < 0.3), 1, 0)
    reg = np.minimum(reg, 2025)
    age_at = age[person_of] + (reg - reg_year[person_of])
    pur = purpose[person_of]
    case_ids = [f"C{seed:03d}-{i:08d}" for i in prng.sample(range(10**8), total)]
    cols: dict[str, object] = {
        "agency": [f"agency{a + 1:02d}" for a in agency],
        "case_id": case_ids,
        "person_id": [f"P{p:08d}" for p in person_of],
        "given_name": given_out,
        "family_name": family_out,
        "date_of_birth": dob_out,
        "yearOfRegistration": reg.astype(np.int16),
        "Datasource": datasource[person_of],
        "gender": np.where(female[person_of], "Female", "Male"),
        "ageBroad": [age_broad(int(a)) for a in age_at],
        "majorityStatus": np.where(age_at < 18, "Minor", "Adult"),
        "citizenship": citizenship[person_of],
        "CountryOfExploitation": exploit_country[person_of],
        "isSexualExploit": (pur == "sexual").astype(np.int8),
        "isForcedLabour": (pur == "labour").astype(np.int8),
        "isOtherExploit": np.isin(pur, ["criminality", "other"]).astype(np.int8),
        "isForcedCriminality": (pur == "criminality").astype(np.int8),
        "isForcedMarriage": ((pur == "other") & female[person_of] & (r[:, 0] < 0.5)).astype(np.int8),
        "recruiterRelation": recruiter[person_of],
        "typeOfLabour": np.where(pur == "labour", labour_type[person_of], None),
        "typeOfSex": np.where(pur == "sexual", sex_type[person_of], None),
    }
    for j, m in enumerate(MEANS_OF_CONTROL[:-1]):
        cols[f"meansOfControl{m}"] = moc[person_of, j].astype(np.int8)
    table = pa.table(
        {k: pa.array(list(v) if isinstance(v, np.ndarray) and v.dtype == object else v) for k, v in cols.items()}
    )
    key = f"threadline-synthetic-demo-key-{seed:08d}".encode()
    return SyntheticData(table=table, key=key)


def _child_age_p() -> np.ndarray:
    w = np.array([1, 1, 1, 1, 1, 1, 1.5, 1.5, 2, 2, 2.5, 3, 4, 5, 6, 7, 8, 8], dtype=float)
    return w / w.sum()


def _flags(values: pa.Array, options: list[str], prefix: str) -> dict[str, pa.Array]:
    import pyarrow.compute as pc

    return {f"{prefix}{o}": pc.cast(pc.fill_null(pc.equal(values, o), False), pa.int8()) for o in options}


def agency_table(data: SyntheticData, agency: str, *, raw: bool = False) -> pa.Table:
    """The HTCDS-style table one agency shares: encodings only, or raw synthetic identifiers with ``raw``."""
    import pyarrow.compute as pc

    from threadline.engines.insights.encoding import encode_identifiers

    t = data.table.filter(pc.equal(data.table["agency"], agency))
    out: dict[str, pa.Array] = {"case_id": t["case_id"]}
    if raw:
        for c in ("given_name", "family_name", "date_of_birth"):
            out[c] = t[c]
    else:
        enc = encode_identifiers(t.select(["given_name", "family_name", "date_of_birth"]).to_pylist(), data.key)
        for c in enc.column_names:
            out[c] = enc[c]
    keep = [
        "yearOfRegistration",
        "Datasource",
        "gender",
        "ageBroad",
        "majorityStatus",
        "citizenship",
        "CountryOfExploitation",
        "isSexualExploit",
        "isForcedLabour",
        "isOtherExploit",
        "isForcedCriminality",
        "isForcedMarriage",
        *[c for c in t.column_names if c.startswith("meansOfControl")],
    ]
    for c in keep:
        out[c] = t[c]
    out.update(_flags(t["typeOfLabour"].combine_chunks(), _LABOUR, "typeOfLabour"))
    out.update(_flags(t["typeOfSex"].combine_chunks(), TYPE_OF_SEX, "typeOfSex"))
    out.update(_flags(t["recruiterRelation"].combine_chunks(), RECRUITER_RELATION, "recruiterRelation"))
    return pa.table(out)


#: What a messy partner file holds, as ``synth records --messy`` plants it (bland, made-up values only).
MESSY_KINDS = ("typo_date", "unknown_value", "unknown_code", "bad_flag", "short_row", "no_case_id")
_UNKNOWN_GENDERS = ["Femal", "Unspecified", "?"]


def _mess(rows: list[list[str]], header: list[str], rng: random.Random, rate: float) -> dict[str, int]:
    """Plant, at ``rate``, the phenomena real partner files show: a typo'd date of birth (``20110493``), a
    gender outside the vocabulary, CTDC's ``00`` country code, an unreadable flag, a row missing its last
    cells, a row without a case id. Returns how many of each were planted."""
    col = {c: i for i, c in enumerate(header)}
    counts = dict.fromkeys(MESSY_KINDS, 0)
    for row in rows:
        if rng.random() >= rate:
            continue
        kind = rng.choice(MESSY_KINDS if "date_of_birth" in col else MESSY_KINDS[1:])
        if kind == "typo_date":
            found = re.search(r"\d{4}", row[col["date_of_birth"]])
            year = found.group(0) if found else "2010"
            row[col["date_of_birth"]] = f"{year}{rng.randint(1, 12):02d}{rng.randint(32, 99)}"
        elif kind == "unknown_value":
            row[col["gender"]] = rng.choice(_UNKNOWN_GENDERS)
        elif kind == "unknown_code":
            row[col["citizenship"]] = "00"  # CTDC's unknown: read as missing, not a problem
        elif kind == "bad_flag":
            row[col["isForcedLabour"]] = rng.choice(["2", "y?"])
        elif kind == "short_row":
            del row[-2:]
        else:
            row[col["case_id"]] = ""
        counts[kind] += 1
    return counts


def write_agency_files(
    data: SyntheticData, out: str | Path, *, raw: bool = False, messy: float = 0.0, seed: int = 0
) -> list[Path]:
    """Write ``agencyNN.csv`` per agency, ``truth.csv`` and the synthetic demo ``linkage.key`` to ``out``.

    With ``messy`` > 0 about that share of rows carry one of :data:`MESSY_KINDS` (seeded by ``seed``) and
    ``messy.json`` says how many of each every file holds, so that demos and tests see what a lenient
    import reports, sets to missing and quarantines.
    """
    import csv
    import json

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    planted: dict[str, dict[str, int]] = {}
    rng = random.Random(seed * 104729 + 17)
    for agency in sorted(set(data.table["agency"].to_pylist())):
        path = out / f"{agency}.csv"
        table = agency_table(data, agency, raw=raw)
        if messy > 0:
            header = table.column_names
            rows = [["" if v is None else str(v) for v in r.values()] for r in table.to_pylist()]
            planted[path.name] = _mess(rows, header, rng, messy)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(header)
                writer.writerows(rows)
        else:
            pacsv.write_csv(table, path)
        paths.append(path)
    t = data.truth
    import pyarrow.compute as pc

    record_id = pc.binary_join_element_wise(t["agency"], t["case_id"], ":")
    pacsv.write_csv(pa.table({"record_id": record_id, "person_id": t["person_id"]}), out / "truth.csv")
    (out / "linkage.key").write_bytes(data.key)
    if messy > 0:
        (out / "messy.json").write_text(json.dumps(planted, indent=2))
    return paths
