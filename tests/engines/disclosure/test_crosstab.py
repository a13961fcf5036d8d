from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.disclosure import ALLOWED_FIELDS, MISSING, OTHER, crosstab, read_records
from threadline.engines.disclosure.fields import normalise

from .conftest import make_records


def test_counts_margins_and_zero_cells():
    t = pa.Table.from_pylist(
        [{"gender": "Female", "ageBroad": "0--8"}] * 3
        + [{"gender": "Male", "ageBroad": "9--17"}] * 2
        + [{"gender": "Female", "ageBroad": "9--17"}]
    )
    ct = crosstab(t, ["gender", "ageBroad"])
    assert ct.categories == {"gender": ("Female", "Male"), "ageBroad": ("0--8", "9--17")}
    assert ct.counts[("Male", "0--8")] == 0  # zero cells are part of the table
    m = ct.with_margins()
    assert m[("Female", None)] == 4
    assert m[(None, "9--17")] == 3
    assert m[(None, None)] == 6 == ct.n
    assert len(m) == 3 * 3


@pytest.mark.parametrize("raw", [None, "", -99, "-99", "Unknown", float("nan"), -99.0])
def test_missing_markers_become_unknown(raw):
    assert normalise(raw) == MISSING


def test_missing_values_are_a_category_not_dropped():
    t = pa.Table.from_pylist([{"gender": "Female"}, {"gender": None}, {"gender": "-99"}, {"gender": "Unknown"}])
    ct = crosstab(t, ["gender"])
    assert ct.counts == {("Female",): 1, (MISSING,): 3}
    assert ct.categories["gender"][-1] == MISSING


def test_flags_and_years_normalise_to_strings():
    t = pa.Table.from_pylist([{"isSexualExploit": 1.0, "yearOfRegistration": 2021}, {"isSexualExploit": True}])
    ct = crosstab(t, ["isSexualExploit"])
    assert ct.counts == {("1",): 2}


def test_given_categories_send_the_rest_to_other():
    t = pa.Table.from_pylist([{"gender": "Female"}, {"gender": "Robot"}])
    ct = crosstab(t, ["gender"], categories={"gender": ["Female", "Male"]})
    assert ct.categories["gender"] == ("Female", "Male", OTHER)
    assert ct.counts[(OTHER,)] == 1


def test_age_bands_in_codebook_order():
    ct = crosstab(make_records(200, 1), ["ageBroad"])
    assert list(ct.categories["ageBroad"]) == ["0--8", "9--17", "18--20", "21--23", "30--38", "48+", MISSING]


def test_linked_records_count_once():
    t = make_records(100, 2, with_cluster=True)
    assert crosstab(t, ["gender"]).n == 50


def test_version_changes_with_the_data():
    t = make_records(50, 3)
    assert crosstab(t, ["gender"]).version == crosstab(t, ["ageBroad"]).version
    assert crosstab(t.slice(0, 49), ["gender"]).version != crosstab(t, ["gender"]).version


def test_unknown_and_repeated_fields_rejected():
    t = make_records(10, 0)
    with pytest.raises(ValueError, match="not allowed"):
        crosstab(t, ["name"])
    with pytest.raises(ValueError, match="repeated"):
        crosstab(t, ["gender", "gender"])
    with pytest.raises(ValueError, match="no column"):
        crosstab(t, ["isOrganRemoval"])
    assert "citizenship" in ALLOWED_FIELDS and "recruiterRelationFamily" in ALLOWED_FIELDS


def test_duckdb_relation_input():
    con = duckdb.connect()
    t = make_records(30, 4)
    rel = con.from_arrow(t)
    assert crosstab(rel, ["gender"]).counts == crosstab(t, ["gender"]).counts


def test_read_semicolon_csv_keeps_codes_as_text(tmp_path):
    p = tmp_path / "ctdc.csv"
    p.write_text("gender;ageBroad;citizenship\nFemale;9--17;NA\nMale;-99;UA\n")
    t = read_records(p)
    assert t.column("citizenship").to_pylist() == ["NA", "UA"]  # Namibia is not a missing value
    ct = crosstab(t, ["ageBroad"])
    assert ct.counts[(MISSING,)] == 1


def _reference_counts(rows: list[dict], by: list[str]) -> dict:
    """Counts computed one record at a time, as the first version of crosstab did."""
    from collections import Counter

    seen, people = set(), []
    for row in rows:
        cid = row.get("cluster_id")
        if cid is None or cid not in seen:
            people.append(row)
            if cid is not None:
                seen.add(cid)
    return Counter(tuple(normalise(row[f]) for f in by) for row in people)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "gender": st.sampled_from(["Female", "Male", "Unknown", "", None, "-99"]),
                "yearOfRegistration": st.sampled_from([2020, 2021, -99, None]),
                "cluster_id": st.sampled_from(["p1", "p2", "p3", None, None]),
            }
        ),
        min_size=1,
        max_size=60,
    )
)
def test_vectorised_counts_equal_counting_record_by_record(rows):
    by = ["gender", "yearOfRegistration"]
    ct = crosstab(pa.Table.from_pylist(rows), by)
    expected = _reference_counts(rows, by)
    assert {k: v for k, v in ct.counts.items() if v} == dict(expected)
    assert sum(ct.counts.values()) == sum(expected.values())
