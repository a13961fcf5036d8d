"""What a scan does to start faster stays inside its own worker processes."""

from __future__ import annotations

import os
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


def test_pool_workers_do_not_run_the_main_script_again(tmp_path):
    """Spawned workers skip the caller's main script (for ``threadline``: importing the whole CLI) when what they
    run comes from elsewhere; the script below would start workers again from each worker if they ran it."""
    import subprocess
    import textwrap

    (tmp_path / "probe_mod.py").write_text(
        textwrap.dedent("""
            import sys

            def probe(_):
                return "threadline.cli" in sys.modules

            def init():
                pass
        """)
    )
    script = tmp_path / "main_script.py"
    script.write_text(
        textwrap.dedent("""
            import threadline.cli  # noqa: F401  (what the threadline command imports)
            import probe_mod
            from threadline.engines.online.local import LocalBackend

            print(sorted(set(LocalBackend(workers=2).map_tasks(probe_mod.probe, range(4), probe_mod.init, ()))))
        """)
    )
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[False]"
