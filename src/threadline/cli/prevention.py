"""``threadline prevention`` (curricula, questionnaires, pre/post analysis) and ``threadline synth responses``.

Never imports Django; the engine is imported lazily inside each command so that ``threadline --help`` stays
fast. Bad input (unknown id, unreadable or invalid file) exits with code 2 and a clear message; rows of a
responses file with errors are reported (file, line, field) and the others are analysed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from threadline.cli.common import JSON_HELP, dump, fail, report_invalid

_SHOWN_PROBLEMS = 20
_KINDS = {
    "curricula": ("curriculum", "Curricula"),
    "instruments": ("questionnaire", "Questionnaires (instruments)"),
}


def _installed(group: str) -> list:
    from threadline.engines.prevention import installed_curricula, installed_questionnaires

    return installed_curricula() if group == "curricula" else installed_questionnaires()


def _load(group: str, ident: str | None, file: Path | None):
    from threadline.engines.prevention import DefinitionError, load_definition

    kind = _KINDS[group][0]
    if (ident is None) == (file is None):
        fail(f"give exactly one of an id (see 'threadline prevention {group} list') or --file PATH")
    if file is not None:
        try:
            return load_definition(file, kind=kind)
        except DefinitionError as exc:
            for err in exc.errors:
                typer.echo(str(err), err=True)
            fail(f"{file} is not a valid {kind} ({len(exc.errors)} problem(s))")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
    for found in _installed(group):
        if found.id == ident:
            return found
    fail(f"no installed {kind} {ident!r}; installed: {', '.join(d.id for d in _installed(group))}")


def _summary_row(d) -> dict[str, Any]:
    out = {
        "id": d.id,
        "version": d.version,
        "title": d.text(d.title),
        "status": d.status,
        "languages": list(d.languages),
        "age_bands": list(d.age_bands),
    }
    if d.kind == "curriculum":
        out["modules"] = len(d.modules)
    else:
        out.update(audience=d.audience, items=len(d.items), scales=len(d.scales))
    return out


def _show(d, language: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{d.text(d.title, language)}[/bold]  ({d.id} {d.version}, {d.status})")
    if d.raw.get("status_note"):
        console.print(f"[yellow]{d.text(d.raw['status_note'], language)}[/yellow]")
    for source in d.raw["sources"]:
        console.print(f"Source: {source['citation']}")
    if d.kind == "curriculum":
        for module in d.modules:
            table = Table(
                title=f"{module['id']}: {d.text(module['title'], language)}  ({', '.join(module['age_bands'])})"
            )
            table.add_column("objective / session")
            table.add_column("text")
            for objective in module["objectives"]:
                table.add_row(objective["id"], d.text(objective["text"], language))
            for session in module["sessions"]:
                table.add_row(f"{session['id']} ({session['minutes']} min)", d.text(session["title"], language))
            console.print(table)
        return
    table = Table(title=f"items ({d.audience})")
    for col in ("id", "answer", "reverse", "text"):
        table.add_column(col)
    for item in d.items:
        table.add_row(item.id, item.kind, "yes" if item.reverse else "", d.text(item.text, language))
    console.print(table)
    for scale in d.scales:
        console.print(f"scale {scale.id}: {d.text(scale.title, language)} = mean of {', '.join(scale.items)}")


def _definition_group(group: str) -> typer.Typer:
    kind, title = _KINDS[group]
    sub = typer.Typer(help=f"{title}: list, show and validate {kind} files.", no_args_is_help=True)

    @sub.command("list")
    def list_(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
        """Show the installed files."""
        rows = [_summary_row(d) for d in _installed(group)]
        if as_json:
            dump(rows)
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for col in ("id", "version", "status", "languages", "title"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["version"], r["status"], ", ".join(r["languages"]), r["title"])
        Console().print(table)

    @sub.command("show")
    def show(
        ident: Annotated[str | None, typer.Argument(metavar="ID", help="Installed id.")] = None,
        file: Annotated[Path | None, typer.Option("--file", help="A file that is not installed.")] = None,
        language: Annotated[str, typer.Option("--language", "-l", help="Language of the texts.")] = "en",
        as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Show one file's content in a language."""
        d = _load(group, ident, file)
        if as_json:
            dump(d.raw)
            return
        _show(d, language)

    @sub.command("validate")
    def validate(
        file: Annotated[Path, typer.Argument(help="File (YAML or JSON) to check.")],
        as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Check a file and list every problem with its path (exit code 2 when it is not valid)."""
        from threadline.engines.prevention import DefinitionError, load_definition

        try:
            d = load_definition(file, kind=kind)
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
        except DefinitionError as exc:
            report_invalid(file, exc.errors, as_json=as_json)
        if as_json:
            dump({"valid": True, "file": str(file), **_summary_row(d)})
        else:
            typer.echo(f"{file}: valid {kind} {d.id} {d.version}")

    return sub


def analyse_command(
    responses: Annotated[Path, typer.Argument(help="Responses table: CSV, Parquet or Arrow.")],
    instrument: Annotated[str | None, typer.Option("--instrument", help="Installed questionnaire id.")] = None,
    instrument_file: Annotated[
        Path | None, typer.Option("--instrument-file", help="A questionnaire file that is not installed.")
    ] = None,
    school: Annotated[str | None, typer.Option("--school", help="Analyse one school only.")] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="Language of the summary (en, fr, ar).")] = "en",
    items: Annotated[
        bool, typer.Option("--items", help="Also list every item in the table (JSON always has them).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Pre/post change per scale and item, overall and by sex and age band (figures for fewer than 11 pupils are
    suppressed), with a plain-language summary."""
    from threadline.engines.prevention import ResponsesError, analyse, read_responses

    q = _load("instruments", instrument, instrument_file)
    try:
        r = read_responses(responses, q)
    except ResponsesError as exc:
        fail(str(exc))
    try:
        result = analyse(r, school=school)
    except KeyError:
        fail(f"no valid rows for school {school!r} in {responses}")
    for problem in r.problems[:_SHOWN_PROBLEMS]:
        typer.echo(str(problem), err=True)
    bad = sum(r.problem_counts.values())
    if bad:
        counts = ", ".join(f"{f}: {n}" for f, n in sorted(r.problem_counts.items()))
        typer.echo(f"{responses}: {bad} row(s) left out ({counts}); the other rows were analysed", err=True)
    if as_json:
        dump(result.to_dict(language))
        return
    _print_analysis(result, language, items=items)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _print_analysis(result, language: str, *, items: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for line in result.summary(language):
        console.print(line)
    table = Table(title=f"{result.questionnaire_id} {result.questionnaire_version}: headline figures")
    for col in ("outcome", "group", "method", "n pre", "pre", "n post", "post", "change [95 % CI]", "g [95 % CI]"):
        table.add_column(col)
    for row in result.rows:
        if not row["headline"] or (row["type"] == "item" and not items):
            continue
        group = row["group"] if row["category"] is None else f"{row['group']}={row['category']}"
        if row["suppressed"]:
            table.add_row(row["outcome"], group, row["method"], *["suppressed"] * 6)
            continue
        table.add_row(
            row["outcome"],
            group,
            row["method"],
            str(row["n_pre"]),
            _fmt(row["mean_pre"]),
            str(row["n_post"]),
            _fmt(row["mean_post"]),
            f"{row['change']:+.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]",
            f"{row['g']:+.2f} [{row['g_ci_low']:+.2f}, {row['g_ci_high']:+.2f}]",
        )
    console.print(table)
    if result.suppressed:
        note = result.to_dict()["suppression_note"]
        console.print(f"[italic]{len(result.suppressed)} suppressed figure set(s). {note}[/italic]")


def synth_responses(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv, or .parquet).")],
    instrument: Annotated[
        str, typer.Option("--instrument", help="Installed questionnaire id.")
    ] = "pupil-prepost-starter",
    n: Annotated[int, typer.Option("--n", min=1, help="Number of response rows (pre and post together).")] = 10_000,
    schools: Annotated[int, typer.Option("--schools", min=1, help="Number of schools.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same file).")] = 0,
    effect: Annotated[float, typer.Option("--effect", help="Simulated improvement, in standard deviations.")] = 0.3,
) -> None:
    """Write seeded synthetic questionnaire responses (bland, invented; a few rows deliberately invalid)."""
    from threadline.engines.prevention import generate_responses, write_responses

    q = _load("instruments", instrument, None)
    table = generate_responses(q, n, schools=schools, seed=seed, effect=effect)
    path = write_responses(table, out)
    typer.echo(f"wrote {table.num_rows} responses for {q.id} across {schools} schools to {path}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add ``threadline prevention`` and ``threadline synth responses``."""
    prevention = typer.Typer(
        help="Prevention programmes: curricula and pre/post questionnaires as data, and the analysis of responses.",
        no_args_is_help=True,
    )
    app.add_typer(prevention, name="prevention")
    for group in _KINDS:
        prevention.add_typer(_definition_group(group), name=group)
    prevention.command("analyse")(analyse_command)
    groups["synth"].command("responses")(synth_responses)
