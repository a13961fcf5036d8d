"""Property tests: the responses parser reports exactly the rows it leaves out, and the validators never
crash on altered files (they return problems with paths instead)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.prevention import get_curriculum, get_questionnaire, load_definition
from threadline.engines.prevention.definitions import DefinitionError

from .conftest import write_csv

_VALUES = st.sampled_from(["1", "3", "5", "0", "6", "x", "", " 4 ", "true", "TRUE", "dont_know", "é", "1.0"])
_PHASES = st.sampled_from(["pre", "post", "PRE", "Post", "", "during"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_PHASES, _VALUES, _VALUES), min_size=1, max_size=25))
def test_every_left_out_row_is_reported_once_on_its_line(tmp_path_factory, rows):
    from threadline.engines.prevention import read_responses

    q = get_questionnaire("pupil-prepost-starter")
    path = write_csv(
        tmp_path_factory.mktemp("p") / "r.csv",
        q,
        [{"phase": p, "a_equal_chores": a, "k_consent": k} for p, a, k in rows],
    )
    r = read_responses(path, q)
    bad_lines = {p.line for p in r.problems}
    assert r.n + len(bad_lines) == len(rows)
    assert len(bad_lines) == len(r.problems)  # one problem per row (the first field at fault)
    for line in bad_lines:
        phase, a, k = rows[line - 2]
        a_ok = a.strip() in {"", "1", "3", "5"}
        k_ok = k.strip().lower() in {"", "true", "false", "dont_know"}
        assert phase.lower() not in {"pre", "post"} or not a_ok or not k_ok


def _mutations():
    leaf = st.one_of(st.none(), st.integers(-3, 300), st.text(max_size=5), st.lists(st.integers(), max_size=2))
    return st.lists(st.tuples(st.integers(0, 10_000), leaf), min_size=1, max_size=4)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


@settings(max_examples=60, deadline=None)
@given(which=st.sampled_from(["curriculum", "questionnaire"]), mutations=_mutations())
def test_validators_return_problems_with_paths_and_never_crash(which, mutations):
    raw = (
        get_curriculum("starter-safe-and-equal").raw
        if which == "curriculum"
        else get_questionnaire("pupil-prepost-starter").raw
    )
    data = copy.deepcopy(raw)
    for index, value in mutations:
        paths = [p for p in _paths(data) if p]
        target = paths[index % len(paths)]
        parent = data
        for part in target[:-1]:
            parent = parent[part]
        parent[target[-1]] = value
    try:
        load_definition(data, source_name="x.yaml")
    except DefinitionError as exc:
        assert exc.errors and all(e.source == "x.yaml" and e.message for e in exc.errors)
