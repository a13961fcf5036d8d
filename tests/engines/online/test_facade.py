"""The online engine's facade names its public functions, and nothing outside the engine uses a private name."""

from __future__ import annotations

import ast
from pathlib import Path

import threadline.engines.online as online

ROOT = Path(__file__).resolve().parents[3]


def test_every_public_name_resolves():
    for name in online.__all__:
        assert getattr(online, name) is not None, name


def _private_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("threadline.engines.online"):
            found += [f"{path}:{node.lineno} {a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_nothing_outside_the_engine_imports_a_private_name():
    engine = ROOT / "src" / "threadline" / "engines" / "online"
    files = [p for d in ("src", "benchmarks", "tests") for p in (ROOT / d).rglob("*.py") if engine not in p.parents]
    assert files and not [u for p in files for u in _private_uses(p)]
