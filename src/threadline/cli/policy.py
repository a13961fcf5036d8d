"""``threadline policy templates list|show|validate``: child rights impact assessment templates as data.

Never imports Django; the engine is imported lazily inside each command so that ``threadline --help`` stays
fast. Bad input (unknown id, unreadable or invalid file) exits with code 2 and every problem with its path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from threadline.cli.common import JSON_HELP, dump, fail, report_invalid


def _load(ident: str | None, file: Path | None):
    from threadline.engines.policy import DefinitionError, installed_templates, load_template

    if (ident is None) == (file is None):
        fail("give exactly one of an id (see 'threadline policy templates list') or --file PATH")
    if file is not None:
        try:
            return load_template(file)
        except DefinitionError as exc:
            for err in exc.errors:
                typer.echo(str(err), err=True)
            fail(f"{file} is not a valid assessment template ({len(exc.errors)} problem(s))")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
    for found in installed_templates():
        if found.id == ident:
            return found
    fail(f"no installed template {ident!r}; installed: {', '.join(t.id for t in installed_templates())}")


def _summary_row(t) -> dict[str, Any]:
    return {
        "id": t.id,
        "version": t.version,
        "title": t.text(t.title),
        "framework": t.framework,
        "status": t.status,
        "languages": list(t.languages),
        "stages": len(t.stages),
        "questions": len(t.questions),
    }


def list_templates(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """Show the installed assessment templates."""
    from threadline.engines.policy import installed_templates

    rows = [_summary_row(t) for t in installed_templates()]
    if as_json:
        dump(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Child rights impact assessment templates")
    for col in ("id", "version", "framework", "stages", "questions", "languages"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["id"], r["version"], r["framework"], str(r["stages"]), str(r["questions"]), ", ".join(r["languages"])
        )
    Console().print(table)


def show_template(
    ident: Annotated[str | None, typer.Argument(metavar="ID", help="Installed template id.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A template file that is not installed.")] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="Language of the texts (en, fr, ar).")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Show one template's stages, questions and required evidence in a language."""
    from threadline.engines.policy import get_convention

    t = _load(ident, file)
    if as_json:
        dump(t.raw)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{t.text(t.title, language)}[/bold]  ({t.id} {t.version})")
    for source in t.raw["sources"]:
        console.print(f"Source: {source['citation']}")
    convention = get_convention()
    for number, stage in enumerate(t.stages, start=1):
        table = Table(title=f"{number}. {t.text(stage.title, language)} [{stage.kind}]")
        table.add_column("question")
        table.add_column("answer")
        table.add_column("text")
        for q in stage.questions:
            flags = " (gate)" if q.gate else (" (required)" if q.required else "")
            table.add_row(q.id, q.answer + flags, t.text(q.text, language))
        for item in stage.required_evidence:
            table.add_row(item["id"], "evidence", t.text(item["text"], language))
        for key in stage.focus_articles:
            table.add_row(key, "article", convention.article(key).label(language))
        if stage.groups:
            table.add_row("groups", "", ", ".join(stage.groups))
        console.print(table)


def validate_template_file(
    file: Annotated[Path, typer.Argument(help="Template file (YAML or JSON) to check.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Check a template file and list every problem with its path (exit code 2 when it is not valid)."""
    from threadline.engines.policy import DefinitionError, load_template

    try:
        t = load_template(file)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except DefinitionError as exc:
        report_invalid(file, exc.errors, as_json=as_json)
    if as_json:
        dump({"valid": True, "file": str(file), **_summary_row(t)})
    else:
        typer.echo(f"{file}: valid assessment template {t.id} {t.version}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add ``threadline policy templates``."""
    policy = typer.Typer(
        help="Children's rights in policy: child rights impact assessment templates as data.", no_args_is_help=True
    )
    templates = typer.Typer(help="Assessment templates: list, show and validate template files.", no_args_is_help=True)
    templates.command("list")(list_templates)
    templates.command("show")(show_template)
    templates.command("validate")(validate_template_file)
    policy.add_typer(templates, name="templates")
    app.add_typer(policy, name="policy")
