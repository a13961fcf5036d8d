"""The one helper every CSV writer uses against formula injection (issue #18, item 10)."""

import io

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.csv_safety import HOSTILE, assert_spreadsheet_safe

from threadline.engines import csvsafe

NUMBERS = ("-3", "+44207946000", "-0.5", "1e5", "12")


def test_formulas_are_prefixed_and_numbers_and_text_kept():
    assert [csvsafe.cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert csvsafe.cell("+44 20 7946 0000") == "'+44 20 7946 0000"  # a phone number stays readable
    assert [csvsafe.cell(v) for v in NUMBERS] == list(NUMBERS)
    assert [csvsafe.cell(v) for v in ("plain", "", None, 5, -2.5)] == ["plain", "", None, 5, -2.5]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_safe_and_comes_back(value):
    safe = csvsafe.cell(value)
    assert not (safe[:1] in csvsafe.TRIGGERS and not csvsafe._NUMBER_RE.fullmatch(safe))
    if not (value[:1] == "'" and value[1:2] in csvsafe.TRIGGERS):
        assert csvsafe.unescape(safe) == value


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(HOSTILE + NUMBERS)), max_size=20))
def test_table_and_sql_forms_agree_with_cell(values):
    tbl = pa.table({"v": pa.array(values, pa.string()), "n": pa.array(range(len(values)), pa.int64())})
    expected = [csvsafe.cell(v) for v in values]
    assert csvsafe.table(tbl)["v"].to_pylist() == expected
    assert csvsafe.table(tbl)["n"].to_pylist() == list(range(len(values)))
    con = duckdb.connect()
    con.register("t", tbl)
    safe = con.execute(f"SELECT {csvsafe.sql('v')} FROM t ORDER BY n").fetchall()  # noqa: S608
    assert [r[0] for r in safe] == expected
    back = con.execute(f"SELECT {csvsafe.sql_unescape(csvsafe.sql('v'))} FROM t ORDER BY n").fetchall()  # noqa: S608
    assert [r[0] for r in back] == [csvsafe.unescape(v) if v is not None else None for v in expected]


def test_writers_copy_and_read_back(tmp_path):
    buf = io.StringIO()
    csvsafe.writer(buf).writerows([["kind", "value"], *[["x", v] for v in HOSTILE]])
    assert_spreadsheet_safe(buf.getvalue(), must_contain=HOSTILE)
    buf = io.StringIO()
    w = csvsafe.dict_writer(buf, fieldnames=["value"])
    w.writeheader()
    w.writerows([{"value": v} for v in HOSTILE])
    assert_spreadsheet_safe(buf.getvalue(), must_contain=HOSTILE)

    con = duckdb.connect()
    con.register("t", pa.table({"value": list(HOSTILE), "n": list(range(len(HOSTILE)))}))
    out = tmp_path / "copy.csv"
    query = csvsafe.copy_query(con, "SELECT * FROM t ORDER BY n")
    con.execute(f"COPY ({query}) TO '{out}' (FORMAT csv, HEADER)")
    assert_spreadsheet_safe(out.read_bytes().decode(), must_contain=HOSTILE)
    back = con.execute(f"SELECT value FROM ({csvsafe.read_csv_select(str(out), ('value',))})").fetchall()  # noqa: S608
    assert [r[0] for r in back] == list(HOSTILE)

    pacsv.write_csv(csvsafe.table(pa.table({"value": list(HOSTILE)})), tmp_path / "arrow.csv")
    assert_spreadsheet_safe((tmp_path / "arrow.csv").read_bytes().decode(), must_contain=HOSTILE)
