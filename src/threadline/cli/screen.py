"""Commands of this area; see register()."""

from __future__ import annotations

import typer


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add this area's commands to the root app and to the shared groups (``synth``, ``insights``)."""
