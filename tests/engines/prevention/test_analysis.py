"""Reading responses (bad rows with file, line and field) and the pre/post analysis with suppression."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from threadline.engines.prevention import ResponsesError, analyse, generate_responses, read_responses, write_responses

from .conftest import write_csv


def _row(a, phase, **kw):
    return {"phase": phase, "a_equal_chores": str(a), **kw}


def test_bad_rows_are_reported_with_line_and_field_and_the_rest_analysed(tmp_path, pupils):
    rows = [_row(3, "pre") for _ in range(15)] + [_row(4, "post") for _ in range(15)]
    rows[3]["phase"] = "during"  # line 5
    rows[20]["a_equal_chores"] = "9"  # line 22
    rows[21]["sex"] = "x"  # line 23
    rows[22]["code"] = "Jane Doe"  # line 24
    path = write_csv(tmp_path / "r.csv", pupils, rows)
    r = read_responses(path, pupils)
    got = [(p.source, p.line, p.field) for p in r.problems]
    assert got == [
        (str(path), 5, "phase"),
        (str(path), 23, "sex"),
        (str(path), 24, "code"),
        (str(path), 22, "a_equal_chores"),
    ]
    assert "Jane" not in " ".join(str(p) for p in r.problems)  # the bad value itself is never quoted
    assert r.n == 26
    result = analyse(r)
    row = result.headline("a_equal_chores")
    assert (row["n_pre"], row["n_post"]) == (14, 12)


def test_line_numbers_survive_records_spanning_lines_and_blank_lines(tmp_path, pupils):
    path = write_csv(tmp_path / "r.csv", pupils, [_row(3, "pre", school="a\nb"), _row(3, "pre"), _row(3, "bad")])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\r\n", "\n") + "\n\nnot,enough\n" + text.splitlines()[-1] + "\n", encoding="utf-8")
    r = read_responses(path, pupils)
    got = [(p.line, p.field) for p in r.problems]
    assert (8, "(row)") in got  # header 1, records on 2-3, 4, 5, blank 6-7, short record 8
    assert (5, "phase") in got and (9, "phase") in got


def test_missing_column_is_a_file_error(tmp_path, pupils):
    path = tmp_path / "r.csv"
    path.write_text("instrument,phase,school\npupil-prepost-starter,pre,s1\n", encoding="utf-8")
    with pytest.raises(ResponsesError, match=r"line 1: missing column\(s\) k_job_offer"):
        read_responses(path, pupils)


def test_rows_of_other_questionnaires_are_counted_not_reported(tmp_path, pupils):
    path = write_csv(tmp_path / "r.csv", pupils, [_row(3, "pre"), _row(3, "pre", instrument="other-survey")])
    r = read_responses(path, pupils)
    assert (r.n, r.other_instrument, r.problems) == (1, 1, [])


def test_unpaired_figures_match_scipy(tmp_path, pupils):
    rng = np.random.default_rng(3)
    pre, post = rng.integers(1, 6, 40), rng.integers(2, 6, 50)
    rows = [_row(a, "pre") for a in pre] + [_row(a, "post") for a in post]
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    row = result.headline("a_equal_chores")
    ref = sps.ttest_ind(post, pre, equal_var=False)
    assert row["method"] == "unpaired"
    assert row["t"] == pytest.approx(ref.statistic)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.confidence_interval()))
    assert row["mean_pre"] == pytest.approx(pre.mean())


def test_pairs_match_within_a_school_and_duplicates_are_unpaired(tmp_path, pupils):
    rng = np.random.default_rng(4)
    pre = rng.integers(1, 5, 30)
    post = np.minimum(pre + rng.integers(0, 2, 30), 5)
    rows = [_row(a, "pre", code=f"C{i:03d}") for i, a in enumerate(pre)]
    rows += [_row(a, "post", code=f"C{i:03d}") for i, a in enumerate(post)]
    rows += [_row(1, "pre", code="DUP"), _row(1, "pre", code="DUP"), _row(5, "post", code="DUP")]
    rows += [_row(2, "post", code="C000", school="s2")]  # same code, other school: not a partner
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    assert result.respondents == {"pre": 32, "post": 32, "pairs": 30}
    row = result.headline("a_equal_chores")
    ref = sps.ttest_rel(post, pre)
    assert row["method"] == "paired"
    assert row["n_pre"] == 30
    assert row["t"] == pytest.approx(ref.statistic)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.confidence_interval()))


def test_reverse_items_and_knowledge_scoring(tmp_path, pupils):
    rows = [_row(3, "pre", a_boys_decide="5", k_documents="dont_know") for _ in range(12)]
    rows += [_row(3, "post", a_boys_decide="1", k_documents="false") for _ in range(12)]
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    reverse = result.headline("a_boys_decide")
    assert (reverse["mean_pre"], reverse["mean_post"]) == (1.0, 5.0)
    knowledge = result.headline("k_documents")
    assert (knowledge["mean_pre"], knowledge["mean_post"]) == (0.0, 1.0)
    scale = result.headline("knowledge")
    assert scale["mean_pre"] == pytest.approx(0.8)


def test_scale_needs_half_its_items_answered(tmp_path, pupils):
    blank = {"c_tell_adult": "", "c_know_where": ""}
    rows = [_row(3, "pre", **blank) for _ in range(12)] + [_row(3, "post") for _ in range(12)]
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    scale = result.to_dict()["rows"][[r["outcome"] for r in result.rows].index("help_seeking")]
    assert (scale["n_pre"], scale["n_post"], scale["change"]) == (0, 12, None)  # 1 of 3 answered: no pre score
    assert result.headline("c_help_friend")["n_pre"] == 12


def test_small_groups_are_suppressed_with_a_complement(tmp_path, pupils):
    rows = []
    for phase in ("pre", "post"):
        rows += [_row(3, phase, sex="female") for _ in range(30)]
        rows += [_row(3, phase, sex="male") for _ in range(25)]
        rows += [_row(3, phase, sex="other") for _ in range(4)]
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    shown = {
        r["category"]: r
        for r in result.rows
        if r["outcome"] == "a_equal_chores" and r["group"] == "sex" and r["headline"]
    }
    assert shown["other"]["suppressed"] and shown["other"]["n_pre"] is None and shown["other"]["mean_pre"] is None
    # the total (59) and one of female/male published would give the other's figures away: one more is hidden
    assert shown["male"]["suppressed"] or shown["female"]["suppressed"]
    assert not result.headline("a_equal_chores")["suppressed"]
    assert {"outcome": "a_equal_chores", "group": "sex", "category": "other", "method": "unpaired"} in result.suppressed


def test_fewer_than_k_overall_hides_everything(tmp_path, pupils):
    rows = [_row(3, "pre") for _ in range(10)] + [_row(4, "post") for _ in range(20)]
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    unpaired = [r for r in result.rows if r["method"] == "unpaired"]
    assert result.headline("a_equal_chores")["suppressed"]
    assert not [r for r in unpaired if not r["suppressed"] and (r["n_pre"] or r["n_post"])]  # only empty groups
    assert any("fewer than 11 people" in line for line in result.summary("en"))


def test_summary_in_three_languages(tmp_path, pupils):
    path = write_responses(generate_responses(pupils, 3000, schools=3, seed=2), tmp_path / "r.csv")
    result = analyse(read_responses(path, pupils))
    for language, word in (("en", "rose"), ("fr", "en hausse"), ("ar", "ارتفع")):
        lines = result.summary(language)
        assert any(word in line for line in lines), lines
        assert len(lines) >= 6
    assert "without a comparison group" in result.summary("en")[-1]
    data = result.to_dict("fr")
    assert data["k"] == 11 and data["problem_counts"]


def test_generator_is_seeded_and_has_a_modest_effect(pupils):
    a = generate_responses(pupils, 2000, seed=9)
    assert a.equals(generate_responses(pupils, 2000, seed=9))
    assert not a.equals(generate_responses(pupils, 2000, seed=10))
    assert a.num_rows == 2000


def test_one_school(tmp_path, pupils):
    rows = [_row(3, "pre", school="north") for _ in range(12)] + [_row(5, "post", school="north") for _ in range(12)]
    rows += [_row(1, "pre", school="south") for _ in range(12)]
    r = read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils)
    assert analyse(r, school="north").headline("a_equal_chores")["change"] == 2.0
    with pytest.raises(KeyError):
        analyse(r, school="east")


def test_a_group_seen_in_one_phase_only_is_still_protected(tmp_path, pupils):
    rows = [_row(3, "pre", sex="female") for _ in range(20)] + [_row(3, "post", sex="female") for _ in range(20)]
    rows += [_row(3, "post", sex="other") for _ in range(5)]
    result = analyse(read_responses(write_csv(tmp_path / "r.csv", pupils, rows), pupils))
    other = next(
        r
        for r in result.rows
        if r["outcome"] == "a_equal_chores" and r["category"] == "other" and r["method"] == "unpaired"
    )
    assert other["suppressed"] and other["mean_post"] is None


def test_parquet_with_several_chunks_reads_like_the_csv(tmp_path, pupils):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = generate_responses(pupils, 3000, schools=3, seed=5)
    path_csv = write_responses(table, tmp_path / "r.csv")
    half = table.num_rows // 2
    parts = pa.concat_tables([table.slice(half), table.slice(0, half)])  # other chunk order, other dictionaries
    order = list(range(half, table.num_rows)) + list(range(half))
    pq.write_table(parts, tmp_path / "r.parquet", row_group_size=700)
    a = read_responses(path_csv, pupils)
    b = read_responses(tmp_path / "r.parquet", pupils)
    assert np.array_equal(a.phase[order], b.phase)
    assert np.allclose(a.scores["k_consent"][order], b.scores["k_consent"], equal_nan=True)
    assert analyse(a).respondents == analyse(b).respondents


def test_bad_rows_of_a_parquet_file_are_named_by_row(tmp_path, pupils):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "instrument": [pupils.id] * 3,
            "phase": ["pre", "pre", "later"],
            "school": ["s1"] * 3,
            **{i.id: ["3" if i.kind == "agreement" else "true"] * 3 for i in pupils.items},
        }
    )
    pq.write_table(table, tmp_path / "r.parquet")
    (problem,) = read_responses(tmp_path / "r.parquet", pupils).problems
    assert str(problem) == f"{tmp_path / 'r.parquet'}: row 3: phase: must be 'pre' or 'post'"
    assert problem.to_dict()["row"] == 3
