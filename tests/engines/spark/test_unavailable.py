"""Without pyspark or Java the package still imports and says what to install (runs without Spark)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_package_import_does_not_load_pyspark():
    code = "import sys, threadline.engines.spark as s; assert 'pyspark' not in sys.modules; print(s.INSTALL_HINT)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "threadline[spark]" in out


def test_missing_pyspark_is_a_clear_error(monkeypatch):
    import importlib.util

    from threadline.engines.spark import SparkUnavailable, run_scan_spark, spark_missing_reason, spark_session

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    assert "pip install 'threadline[spark]'" in spark_missing_reason()
    with pytest.raises(SparkUnavailable, match=r"threadline\[spark\]"):
        spark_session()
    with pytest.raises(SparkUnavailable):
        run_scan_spark(["x.parquet"], "out")


def test_missing_java_is_a_clear_error(monkeypatch):
    import importlib.util
    import shutil

    from threadline.engines.spark import spark_missing_reason

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "pyspark" else real(name, *a))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "Java" in spark_missing_reason() and "JAVA_HOME" in spark_missing_reason()


def test_the_engine_finds_spark_by_name_and_says_what_to_install(monkeypatch, tmp_path):
    import importlib.util

    from threadline.engines.online import run_scan
    from threadline.engines.spark import SparkUnavailable

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    with pytest.raises(SparkUnavailable, match=r"threadline\[spark\]"):
        run_scan(["x.parquet"], tmp_path / "out", backend="spark")


def test_the_online_engine_does_not_import_spark():
    code = (
        "import sys, threadline.engines.online.scan, threadline.engines.online.local; "
        "assert not [m for m in sys.modules if m.startswith(('threadline.engines.spark', 'pyspark'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
