"""The engine never decides where data lives: callers pass the store directory (the web app from its settings,
the command line from ``--store`` or ``$THREADLINE_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import threadline.engines.insights as engine
from threadline.engines.insights import connect, import_file
from threadline.engines.insights.store import Store, as_store


def test_the_engine_needs_a_store_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="no insights store directory"):
        as_store(None)
    with pytest.raises(ValueError, match="no insights store directory"):
        connect()
    (tmp_path / "h.csv").write_text("case_id,gender\n1,Female\n")
    with pytest.raises(ValueError, match="no insights store directory"):
        import_file(tmp_path / "h.csv", "htcds", "ngo")
    assert not (tmp_path / "data").exists()


def test_no_engine_module_reads_the_data_directory_variable():
    root = Path(engine.__file__).parent
    readers = [
        p.name for p in root.rglob("*.py") if "THREADLINE_DATA_DIR" in p.read_text() and "environ" in p.read_text()
    ]
    assert readers == []


def test_the_command_line_resolves_the_store_from_the_environment(tmp_path, monkeypatch):
    from threadline.cli import app

    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "h.csv").write_text("case_id,gender\n1,Female\n2,Male\n")
    result = CliRunner().invoke(app, ["insights", "import", str(tmp_path / "h.csv"), "--format", "htcds",
                                      "--source", "ngo"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(Store(tmp_path / "data" / "insights").batch_files()) == 1
