"""Property tests: the validator never crashes on any mutation of a valid template, and a valid file stays valid."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.policy import DefinitionError, get_template, load_template, validate_template

BASE = get_template("unicef-uk-cfc-cria").raw

_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8), st.lists(st.text(max_size=3), max_size=2)
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


PATHS = [p for p in _paths(BASE) if p]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(path=st.sampled_from(PATHS), value=_values)
def test_any_single_mutation_is_either_valid_or_reported_with_a_path(path, value):
    data = copy.deepcopy(BASE)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    errors = validate_template(data, "fuzz.yaml")
    for err in errors:
        assert err.source == "fuzz.yaml" and err.message
    if not errors:
        assert load_template(data, source_name="fuzz.yaml").id
    else:
        try:
            load_template(data, source_name="fuzz.yaml")
        except DefinitionError as exc:
            if data.get("kind") == "assessment_template":
                assert exc.errors == errors
            else:  # the loader refuses another kind of file before validating it
                assert [e.path for e in exc.errors] == ["kind"]
        else:  # pragma: no cover - the loader must refuse what the validator reports
            raise AssertionError("loader accepted an invalid template")


@given(st.permutations(list(range(len(BASE["stages"])))))
@settings(max_examples=40, deadline=None)
def test_stages_are_accepted_only_in_their_order(order):
    data = copy.deepcopy(BASE)
    data["stages"] = [data["stages"][i] for i in order]
    errors = validate_template(data, "fuzz.yaml")
    assert (not errors) == (list(order) == sorted(order))
