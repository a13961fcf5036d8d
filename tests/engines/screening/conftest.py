"""Shared fixtures of the screening engine tests (no database, no Django)."""

from __future__ import annotations

import copy
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _encryption_keys():
    """Overrides the root autouse fixture: these tests need no keys, no settings and no Django, so they also
    run with ``-p no:django``."""
    yield


ILO_DIMENSIONS = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
    "exploitation",
    "coercion_at_destination",
    "abuse_of_vulnerability_at_destination",
)

ILO_DIMENSION_RULE = {
    "positive_when_any_of": [
        {"strong": 2},
        {"strong": 1, "medium_or_weak": 1},
        {"medium": 3},
        {"medium": 2, "weak": 1},
    ]
}


def synthetic_instrument(strong: int = 3, medium: int = 4, weak: int = 5) -> dict[str, Any]:
    """An ILO-shaped instrument whose every dimension has ``strong``/``medium``/``weak`` indicators named
    ``<dim>_s<n>``, ``<dim>_m<n>``, ``<dim>_w<n>``, with the ILO rules."""
    dims = []
    for dim in ILO_DIMENSIONS:
        inds = []
        for level, count in (("strong", strong), ("medium", medium), ("weak", weak)):
            for n in range(count):
                item_id = f"{dim}_{level[0]}{n}"
                inds.append({"id": item_id, "strength": level, "name": item_id, "question": f"{item_id}?"})
        dims.append({"id": dim, "name": dim.replace("_", " "), "indicators": inds})
    recruit = {"any": list(ILO_DIMENSIONS[:3])}
    return {
        "schema_version": 1,
        "id": "test-synthetic",
        "version": "1",
        "title": "Synthetic test instrument",
        "source": {"citation": "test"},
        "population": "any",
        "exploitation": ["labour"],
        "rule": {
            "type": "dimensions",
            "dimension_rule": copy.deepcopy(ILO_DIMENSION_RULE),
            "presumed_victim": {
                "adult": {"all": [recruit, "exploitation", {"any": list(ILO_DIMENSIONS[4:])}]},
                "child": {"all": [copy.deepcopy(recruit), "exploitation"]},
            },
            "further_assessment": {"found_at_least": 1},
        },
        "dimensions": dims,
    }


@pytest.fixture
def synthetic_data() -> dict[str, Any]:
    return synthetic_instrument()


@pytest.fixture(scope="session")
def synthetic():
    from threadline.engines.screening import load_instrument

    return load_instrument(synthetic_instrument())
