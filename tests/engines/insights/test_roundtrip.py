"""Export then import gives the same records, for every export format (a property test over records drawn
from the canonical vocabulary), and the HTCDS columns alone say what the standard can say."""

from __future__ import annotations

import csv
import json
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.insights import export_ctdc, import_file, records_table
from threadline.engines.insights.schema import (
    CANONICAL_SCHEMA,
    CTDC_COLUMNS,
    CTDC_SYNTHETIC_COLUMNS,
    DATA_COLUMNS,
    ENCODING_COLUMNS,
    ENUM_COLUMNS,
    FLAG_COLUMNS,
    SYNTHETIC_MEANS_COLS,
)
from threadline.engines.insights.store import Store, refresh_catalogue

COUNTRIES = ["UA", "PH", "NG", "US", "GB", "VN", "TH", "AN", "ZR", "XK"]
COLUMNS = [c for c in DATA_COLUMNS if c not in ENCODING_COLUMNS]


def _value(column: str):
    if column in FLAG_COLUMNS:
        return st.sampled_from([0, 1, None])
    if column == "yearOfRegistration":
        return st.one_of(st.none(), st.integers(1990, 2100))
    if column in ("citizenship", "CountryOfExploitation"):
        return st.sampled_from([*COUNTRIES, None])
    return st.sampled_from([*ENUM_COLUMNS[column], None])


RECORDS = st.lists(st.fixed_dictionaries({c: _value(c) for c in COLUMNS}), min_size=1, max_size=6)


def _carried(fmt: str) -> list[str]:
    """The canonical columns a format carries."""
    if fmt == "ctdc":
        return [c for c in COLUMNS if c in CTDC_COLUMNS]
    if fmt == "ctdc-synthetic":
        return [c for c in COLUMNS if c in CTDC_SYNTHETIC_COLUMNS]
    return COLUMNS


def _in_domain(fmt: str, record: dict) -> dict:
    """A record as the format can hold it: what it does not carry is missing."""
    out = {c: (record[c] if c in _carried(fmt) else None) for c in COLUMNS}
    if fmt == "ctdc-synthetic":  # the synthetic format pools fine means of control into its grouped flags
        out.update({c: None for c in COLUMNS if c.startswith("meansOfControl")})
        sex, labour = out["isSexualExploit"], out["isForcedLabour"]  # and the importer derives this one
        out["isSexAndLabour"] = None if sex is None or labour is None else int(sex == 1 and labour == 1)
    return out


def _store_with(root, records: list[dict]) -> Store:
    store = Store(root).ensure()
    n = len(records)
    batch_id = f"t-{uuid.uuid4().hex[:8]}"
    columns = {
        "record_id": [f"{batch_id}:{i}" for i in range(n)],
        "source": ["t"] * n,
        "batch_id": [batch_id] * n,
        "source_format": ["htcds"] * n,
        "source_row": list(range(n)),
    }
    table = pa.table(
        {f.name: pa.array(columns.get(f.name) or [r.get(f.name) for r in records], f.type) for f in CANONICAL_SCHEMA}
    )
    pq.write_table(table, store.batches_dir / f"{batch_id}.parquet")
    manifest = {"batch_id": batch_id, "source": "t", "format": "htcds", "file_name": "t.csv", "rows": n}
    manifest |= {"imported_at": "2026-01-01T00:00:00+00:00", "mapping": {}}
    (store.batches_dir / f"{batch_id}.json").write_text(json.dumps(manifest))
    refresh_catalogue(store)
    return store


def _rows(store, columns) -> list[str]:
    return sorted(repr([r[c] for c in columns]) for r in records_table(store, columns).to_pylist())


def _roundtrip(tmp, fmt: str, records: list[dict]) -> None:
    records = [_in_domain(fmt, r) for r in records]
    _store_with(tmp / "a", records)
    suffix = "xlsx" if fmt == "htcds-xlsx" else "csv"
    assert export_ctdc(tmp / "a", tmp / f"out.{suffix}", fmt) == len(records)
    import_fmt = "htcds" if fmt.startswith("htcds") else fmt
    rep = import_file(tmp / f"out.{suffix}", import_fmt, "back", tmp / "b", strict=True)
    assert rep.stored and not rep.validation.issues, rep.validation.summary()
    assert _rows(tmp / "b", COLUMNS) == _rows(tmp / "a", COLUMNS)


_PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_PROPERTY
@given(RECORDS)
def test_ctdc_export_is_imported_back_unchanged(tmp_path_factory, records):
    for r in records:
        r["isForcedCriminality"] = None  # CTDC counts forced criminality as other exploitation
    _roundtrip(tmp_path_factory.mktemp("ctdc"), "ctdc", records)


@_PROPERTY
@given(RECORDS)
def test_ctdc_synthetic_export_is_imported_back_unchanged(tmp_path_factory, records):
    for r in records:
        r["isForcedCriminality"] = None
    _roundtrip(tmp_path_factory.mktemp("syn"), "ctdc-synthetic", records)


@_PROPERTY
@given(RECORDS)
def test_htcds_export_is_imported_back_unchanged(tmp_path_factory, records):
    _roundtrip(tmp_path_factory.mktemp("htcds"), "htcds", records)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(RECORDS)
def test_htcds_spreadsheet_export_is_imported_back_unchanged(tmp_path_factory, records):
    _roundtrip(tmp_path_factory.mktemp("xlsx"), "htcds-xlsx", records)


def _record(**values) -> dict:
    record = dict.fromkeys(COLUMNS)
    record.update(values)
    return record


def test_htcds_columns_alone_carry_what_the_standard_can_say(tmp_path):
    """A partner with an HTCDS-only tool reads the standard's columns: drop our extension columns and the
    picklists still give the person's gender, citizenship, exploitation, means of control and industry."""
    record = _record(
        gender="Transgender/NonConforming",
        citizenship="ZR",
        RecruiterRelationship="Family",
        isSexualExploit=0,
        isForcedLabour=1,
        typeOfLabourBegging=1,
        typeOfLabourConstruction=1,
        meansOfControlThreats=1,
        meansOfControlThreatOfLawEnforcement=1,
        isSlaveryAndPractices=1,
        typeOfSexPornography=None,
    )
    _store_with(tmp_path / "a", [record])
    export_ctdc(tmp_path / "a", tmp_path / "full.csv", "htcds")
    with open(tmp_path / "full.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    keep = [i for i, c in enumerate(rows[0]) if c.startswith(("prs_", "vic_"))]
    with open(tmp_path / "htcds_only.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([[row[i] for i in keep] for row in rows])
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["prs_Gender"] == "NonConforming" and exported["vic_RelationshipToTrafficker"] == "Familial"
    assert exported["vic_TypeOfExploitation"] == "ForcedLabour;Servitude;ForcedBegging"
    assert exported["vic_MethodsOfControl"] == "PhysicalThreats;ThreatsLawEnforcement"
    assert exported["vic_ForcedLabourIndustry"] == "F_Construction"
    rep = import_file(tmp_path / "htcds_only.csv", "htcds", "b", tmp_path / "b", strict=True)
    assert rep.stored, rep.validation.summary()
    (back,) = records_table(tmp_path / "b").to_pylist()
    assert back["gender"] == record["gender"] and back["citizenship"] == "ZR"
    assert back["RecruiterRelationship"] == "Family"
    for flag in ("isForcedLabour", "typeOfLabourBegging", "typeOfLabourConstruction", "isSlaveryAndPractices"):
        assert back[flag] == 1, flag
    assert back["meansOfControlThreats"] == 1 and back["meansOfControlThreatOfLawEnforcement"] == 1
    assert back["isSexualExploit"] == 0 and back["typeOfSexPornography"] is None


def test_spreadsheet_export_has_the_official_layout(tmp_path):
    import openpyxl

    _store_with(tmp_path / "a", [_record(gender="Female", citizenship="PH")])
    export_ctdc(tmp_path / "a", tmp_path / "out.xlsx", "htcds-xlsx")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets[0]
    names, labels, first = (list(r) for r in ws.iter_rows(min_row=1, max_row=3, values_only=True))
    assert names[0] is None and names[1] == "prs_Gender" and labels[1] == "Gender"
    assert first[0] == 1 and first[1] == "Feminine" and first[2] == "PH"


def test_synthetic_export_writes_the_codebook_forms(tmp_path):
    _store_with(
        tmp_path / "a",
        [
            _record(
                gender="Female", ageBroad="9--17", citizenship="UA", CountryOfExploitation="PL", traffickMonths="0--12"
            )
        ],
    )
    export_ctdc(tmp_path / "a", tmp_path / "syn.csv", "ctdc-synthetic")
    with open(tmp_path / "syn.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["gender"], row["ageBroad"], row["citizenship"], row["CountryOfExploitation"]) == (
        "Woman",
        "09--17",
        "UKR",
        "POL",
    )
    assert row["traffickMonths"] == "0--12 (0-1 yr)"
    assert set(SYNTHETIC_MEANS_COLS) <= set(row)


@_PROPERTY
@given(RECORDS)
def test_the_columnar_htcds_export_writes_what_the_record_by_record_one_writes(records):
    """The store's export converts whole batches (Arrow); the cases' export converts one record at a time
    (``htcds_row``): both give the same cells."""
    from threadline.engines.insights.htcds_export import header, htcds_row, store_row_lists

    batch = pa.RecordBatch.from_pylist(records, schema=CANONICAL_SCHEMA)
    columnar = list(store_row_lists([batch]))
    by_record = [[htcds_row(r)[c] for c in header()] for r in batch.to_pylist()]
    assert [list(row) for row in columnar] == by_record


def test_spreadsheet_cells_are_escaped_and_stripped_of_control_characters(tmp_path):
    import openpyxl

    from threadline.engines.insights.htcds_export import write_row_lists

    path = tmp_path / "out.xlsx"
    assert write_row_lists([['a<b & "c"\x01', ""], ["", "Other"]], path, ["x", "y"], spreadsheet=True) == 2
    ws = openpyxl.load_workbook(path).worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[2:] == [[1, 'a<b & "c"', None], [2, None, "Other"]]
