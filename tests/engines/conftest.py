"""Shared by the engine tests: one local Spark session (``local[2]``, tiny shuffles) for every test marked
``spark``, which is skipped when pyspark or Java is missing (backend conformance tests in ``online/`` use it too)."""

from __future__ import annotations

import pytest

from threadline.engines.spark import spark_missing_reason

_REASON = spark_missing_reason()


def pytest_collection_modifyitems(config, items):
    if not _REASON:
        return
    for item in items:
        if item.get_closest_marker("spark"):
            item.add_marker(pytest.mark.skip(reason=f"Spark tests need pyspark and Java: {_REASON}"))


@pytest.fixture(scope="session")
def spark():
    import logging

    from threadline.engines.spark import spark_session

    logging.getLogger("py4j").setLevel(logging.WARNING)  # no "closing connection" noise at interpreter exit
    session = spark_session("local[2]", app_name="threadline-tests", **{
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"})  # fmt: skip
    yield session
    session.stop()
