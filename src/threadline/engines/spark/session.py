"""Spark session helper and the check that pyspark and Java are present (pyspark is imported lazily)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys

INSTALL_HINT = "pip install 'threadline[spark]'"

# Safe defaults for local mode on a shared machine; every one can be overridden through ``conf``.
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.memory": "2g",
}
# Needed on every cluster: Arrow transfer, UTC timestamps and Parquet timestamps DuckDB and pyarrow read as is.
ALWAYS = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


class SparkUnavailable(RuntimeError):
    """pyspark is not installed or no Java runtime can be found."""


def spark_missing_reason() -> str | None:
    """Why Spark cannot run here (None when pyspark and Java are both present)."""
    if importlib.util.find_spec("pyspark") is None:
        return f"pyspark is not installed; install the Spark extra: {INSTALL_HINT}"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and not shutil.which("java"):
        return "no Java runtime found (install Java 17 or 21, or set JAVA_HOME); Spark runs on the JVM"
    return None


def require_spark() -> None:
    reason = spark_missing_reason()
    if reason:
        raise SparkUnavailable(reason)


def spark_session(master: str | None = "local[2]", app_name: str = "threadline", **conf: str):
    """A SparkSession (``getOrCreate``), with safe local defaults when ``master`` starts with ``local``.

    Pass Spark settings as keyword arguments with their real names, e.g.
    ``spark_session("local[2]", **{"spark.sql.shuffle.partitions": "2"})``. With ``master=None`` the master comes
    from ``spark-submit`` (the usual way on a cluster).
    """
    require_spark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    settings = dict(ALWAYS)
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            # executors' Python workers must run this interpreter (the one that has threadline installed)
            # (pyspark reads PYSPARK_PYTHON when it starts the context; the conf alone is for spark-submit)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            settings = {**LOCAL_DEFAULTS, "spark.pyspark.python": sys.executable, **settings}
    settings.update({k: str(v) for k, v in conf.items()})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
