"""Connected components on Spark DataFrames (used by the Spark record linkage)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.spark


def test_components_on_a_long_chain(spark):
    from threadline.engines.spark.components import connected_components

    edges = [(i, i + 1) for i in range(0, 40)] + [(100, 101), (102, 101), (7, 3)]
    df = spark.createDataFrame(edges, "u long, v long")
    labels = dict(connected_components(df).collect())
    assert {labels[i] for i in range(41)} == {0}
    assert labels[100] == labels[101] == labels[102] == 100
    assert len(labels) == 44
