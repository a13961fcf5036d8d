"""The generated docs are committed up to date: `make docs` rewrites them from the code itself."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("script", "document"), [("gen_cli_docs", "docs/cli.md"), ("gen_permission_docs", "docs/permissions.md")]
)
def test_generated_document_is_current(script, document):
    committed = (ROOT / document).read_text(encoding="utf-8")
    assert committed == _script(script).render(), f"{document} is out of date: run `make docs`"
