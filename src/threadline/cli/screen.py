"""``threadline screen``: list, show, validate and evaluate screening instruments.

Never imports Django; the engine is imported lazily inside each command so that ``threadline --help``
stays fast.
Bad input (unknown instrument, unreadable or invalid file, bad answers) exits with code 2 and a clear message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from threadline.cli.common import JSON_HELP, dump, fail, report_invalid


def _resolve(instrument_id: str | None, instrument_file: Path | None):  # -> Instrument
    from threadline.engines.screening import (
        InstrumentError,
        UnknownInstrument,
        get_instrument,
        load_instrument,
    )

    if (instrument_id is None) == (instrument_file is None):
        fail("give exactly one of an instrument id (see 'threadline screen list') or --instrument-file PATH")
    if instrument_file is not None:
        try:
            return load_instrument(instrument_file)
        except InstrumentError as exc:
            for err in exc.errors:
                typer.echo(str(err), err=True)
            fail(f"{instrument_file} is not a valid instrument ({len(exc.errors)} problem(s))")
        except OSError as exc:
            fail(f"cannot read {instrument_file}: {exc.strerror or exc}")
    try:
        return get_instrument(instrument_id or "")
    except UnknownInstrument:
        from threadline.engines.screening import installed_instruments

        known = ", ".join(i.id for i in installed_instruments())
        fail(f"no installed instrument {instrument_id!r}; installed: {known}")


def _read_answers(path: Path) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(f"cannot read answers file {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(f"answers file {path} is not UTF-8 text")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"answers file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    if isinstance(data, dict) and isinstance(data.get("answers"), dict) and len(data) <= 2:
        data = data["answers"]  # also accept {"answers": {...}} (optionally with "is_child")
    if not isinstance(data, dict):
        fail(f"answers file {path} must hold a JSON object mapping indicator ids to yes/no/unknown/declined")
    return data


screen_app = typer.Typer(
    help="Screening instruments (ILO/EC 2009 indicators and others): list, show, validate, evaluate. "
    "Results are indicators for review by a trained person, never a determination.",
    no_args_is_help=True,
)


@screen_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """Show the installed instruments."""
    from threadline.engines.screening import installed_instruments

    instruments = installed_instruments()
    if as_json:
        dump(
            [
                {
                    "id": i.id,
                    "version": i.version,
                    "title": i.title,
                    "population": i.population,
                    "exploitation": list(i.exploitation),
                    "status": i.status,
                    "rule_type": i.rule.type,
                    "items": len(i.indicators),
                    "languages": list(i.languages),
                    "gaps": len(i.gaps),
                }
                for i in instruments
            ]
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Screening instruments")
    table.add_column("id", no_wrap=True)
    table.add_column("version")
    table.add_column("for")
    table.add_column("rule")
    table.add_column("items", justify="right")
    table.add_column("status")
    for i in instruments:
        status = i.status + (", gaps" if i.gaps else "")
        who = f"{i.population}: {', '.join(i.exploitation)}"
        table.add_row(i.id, i.version, who, i.rule.type, str(len(i.indicators)), status)
    Console().print(table)


@screen_app.command("show")
def show(
    instrument_id: Annotated[str | None, typer.Argument(metavar="ID", help="Installed instrument id.")] = None,
    instrument_file: Annotated[
        Path | None, typer.Option("--instrument-file", help="An instrument file that is not installed.")
    ] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="Language of the wording.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Show one instrument: dimensions, indicators, strengths and the question wording."""
    inst = _resolve(instrument_id, instrument_file)
    if as_json:
        dump(inst.to_dict())
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{inst.text('title', language)}[/bold]  ({inst.id} {inst.version}, {inst.status})")
    console.print(f"Source: {inst.source.get('citation', '')}")
    for gap in inst.gaps:
        console.print(f"[yellow]gap:[/yellow] {gap}")
    for dim in inst.dimensions:
        table = Table(title=f"{dim.id}: {inst.text(f'dimension.{dim.id}.name', language)}", show_lines=False)
        for col in ("id", "strength/weight", "question"):
            table.add_column(col)
        for ind in dim.indicators:
            level = ind.strength or (f"{ind.weight:g}" if ind.weight is not None else "")
            table.add_row(ind.id, level, inst.text(f"indicator.{ind.id}.question", language))
        console.print(table)
    if inst.anchors:
        table = Table(title="anchors (outside the dimensions)")
        for col in ("id", "question"):
            table.add_column(col)
        for ind in inst.anchors:
            table.add_row(ind.id, inst.text(f"indicator.{ind.id}.question", language))
        console.print(table)
    for note in inst.rule.notes:
        console.print(f"rule: {note}")


@screen_app.command("evaluate")
def evaluate_(
    answers: Annotated[
        Path,
        typer.Option(
            "--answers",
            help="JSON file mapping indicator ids to yes/no/unknown/declined ('-' reads stdin).",
        ),
    ],
    instrument_id: Annotated[str | None, typer.Option("--instrument", help="Installed instrument id.")] = None,
    instrument_file: Annotated[
        Path | None, typer.Option("--instrument-file", help="An instrument file that is not installed.")
    ] = None,
    is_child: Annotated[
        bool | None,
        typer.Option("--child/--adult", help="The person is under 18 / 18 or over (default: from the instrument)."),
    ] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="Language of the labels.")] = "en",
    as_json: Annotated[bool, typer.Option("--json/--table", help="JSON (the default) or a table for humans.")] = True,
) -> None:
    """Evaluate answers against an instrument and print the explained result."""
    from threadline.engines.screening import AnswerError, evaluate

    inst = _resolve(instrument_id, instrument_file)
    data = _read_answers(answers)
    try:
        result = evaluate(inst, data, is_child=is_child)
    except AnswerError as exc:
        for problem in exc.problems:
            typer.echo(f"{answers}: {problem}", err=True)
        fail(f"answers do not fit instrument {inst.id} ({len(exc.problems)} problem(s))")
    out = result.to_dict(language)
    if as_json:
        dump(out)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{out['outcome_label']}[/bold]  ({out['outcome']})")
    table = Table(title=f"{inst.id} {inst.version}: dimensions")
    for col in ("dimension", "positive", "indicators found"):
        table.add_column(col)
    for dim in out["dimensions"]:
        found = ", ".join(f"{i['id']} ({i['strength'] or i.get('weight', '')})" for i in dim["indicators"])
        table.add_row(dim["id"], "yes" if dim["positive"] else "no", found or "-")
    console.print(table)
    for line in out["explanation"]:
        console.print(f"- {line}")
    console.print(f"[italic]{out['disclaimer']}[/italic]")


@screen_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Instrument file (YAML or JSON) to check.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Check an instrument file and list every problem (exit code 2 when it is not valid)."""
    from threadline.engines.screening import InstrumentError, load_instrument

    try:
        inst = load_instrument(file)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except InstrumentError as exc:
        report_invalid(file, exc.errors, as_json=as_json)
    if as_json:
        dump(
            {
                "valid": True,
                "file": str(file),
                "id": inst.id,
                "version": inst.version,
                "items": len(inst.indicators),
                "gaps": list(inst.gaps),
            }
        )
    else:
        typer.echo(
            f"{file}: valid instrument {inst.id} {inst.version} ({len(inst.indicators)} items, "
            f"{len(inst.gaps)} gap note(s))"
        )


@screen_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of instrument files (structure only; 'validate' also checks meaning)."""
    from threadline.engines.screening import INSTRUMENT_SCHEMA

    dump(INSTRUMENT_SCHEMA)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add this area's commands to the root app and to the shared groups (``synth``, ``insights``)."""
    app.add_typer(screen_app, name="screen")
