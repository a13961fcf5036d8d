"""Data files are private to the service user: 0600 files, 0700 directories (issue #18, smaller items)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_serve import _env


def _run(*args: str, data_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "threadline", *args],
        env=_env(data_dir),
        check=True,
        capture_output=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # a usual shell: 0644 files unless Threadline says otherwise
    )


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_database_and_data_directory_are_private(tmp_path):
    data = tmp_path / "data"
    _run("migrate", data_dir=data)
    assert _mode(data) == 0o700
    files = [p for p in data.iterdir() if p.is_file()]
    assert any(p.name == "threadline.sqlite3" for p in files)
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_files_written_before_are_made_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "threadline.sqlite3").touch()
    (data / "threadline.sqlite3").chmod(0o644)
    _run("migrate", data_dir=data)
    assert _mode(data) == 0o700 and _mode(data / "threadline.sqlite3") == 0o600


def test_engine_commands_write_private_files(tmp_path):
    out = tmp_path / "ads.jsonl"
    _run("synth", "ads", "-o", str(out), "--n", "20", data_dir=tmp_path)
    assert _mode(out) == 0o600
