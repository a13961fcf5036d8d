"""The import contracts of pyproject.toml ([tool.importlinter]) hold: the layers, no circle between top-level
packages (function-level imports included), engines through their facades, engines without Django.

``make lint`` runs the same check; this test keeps it in the suite, so a circle cannot land between lint runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_layers_and_acyclic_contracts_are_declared():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    kinds = {c.get("type") for c in contracts}
    assert {"layers", "acyclic_siblings", "independence", "forbidden"} <= kinds
    layers = next(c for c in contracts if c.get("type") == "layers")
    assert layers["containers"] == ["threadline"] and layers["exhaustive"] is True


def test_every_import_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
