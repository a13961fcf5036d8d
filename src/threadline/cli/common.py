"""Output helpers every engine command shares: errors with exit code 2, JSON for machines, invalid-file reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer

JSON_HELP = "Print JSON for machines instead of tables."


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def dump(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def report_invalid(file: Path, errors: list, *, as_json: bool) -> NoReturn:
    """A data file that did not validate: every problem (with its path in the file), then exit code 2."""
    if as_json:
        dump({"valid": False, "file": str(file), "errors": [e.to_dict() for e in errors]})
    else:
        for err in errors:
            typer.echo(str(err), err=True)
        typer.echo(f"{file}: not valid ({len(errors)} problem(s))", err=True)
    raise typer.Exit(2)
