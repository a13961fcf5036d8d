"""What a scan does to start faster stays inside its own worker processes."""

from __future__ import annotations

import sys

import pytest

from threadline.engines.online import local


def test_a_scan_run_inline_leaves_pandas_importable(workspace):
    """With one worker the batches run in the caller's process: the caller must still be able to use pandas."""
    pytest.importorskip("pandas")
    assert not any(isinstance(f, local._NoPandas) for f in sys.meta_path)


def test_the_worker_import_guard_refuses_only_pandas():
    guard = local._NoPandas()
    with pytest.raises(ImportError):
        guard.find_spec("pandas")
    with pytest.raises(ImportError):
        guard.find_spec("pandas.core.api")
    assert guard.find_spec("pyarrow") is None and guard.find_spec("pandasx") is None
