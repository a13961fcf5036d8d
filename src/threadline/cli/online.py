"""Commands of this area; see register().

``threadline scan``, ``threadline eval`` and ``threadline synth ads``: the online identification engine. Engine
modules are imported inside the command functions so ``threadline --help`` stays fast; Django is never imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def _parse_map(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items or []:
        if "=" not in it:
            raise typer.BadParameter(f"--map expects field=column, got {it!r}")
        k, v = it.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def scan(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="JSONL, CSV or Parquet files (optionally .gz), or directories; with --engine spark also "
            "Parquet URIs read by Spark (s3a://, hdfs://, gs://, abfss://, file://)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Workspace directory to write.")],
    map_: Annotated[list[str] | None, typer.Option("--map", help="field=column: the input's name for a field.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0 = one per CPU core).")] = 0,
    batch_size: Annotated[int, typer.Option(help="Records per batch.")] = 10_000,
    region: Annotated[str, typer.Option(help="Phone region when an ad has no country or known city.")] = "US",
    encoding: Annotated[str, typer.Option(help="Text encoding of JSONL/CSV/HTML inputs.")] = "utf-8",
    lexicon: Annotated[
        list[Path] | None, typer.Option(help="Lexicon YAML file(s) instead of the packaged ones.")
    ] = None,
    risk_weights: Annotated[Path | None, typer.Option(help="Risk weights YAML instead of the packaged one.")] = None,
    text_threshold: Annotated[float, typer.Option(help="Minimum Jaccard similarity for near-duplicate links.")] = 0.5,
    hub_min_groups: Annotated[int, typer.Option(help="Separate groups an identifier must join to be a hub.")] = 10,
    boilerplate_min_groups: Annotated[
        int, typer.Option(help="Identifier groups that must use a word 3-gram for it to be boilerplate (not evidence).")
    ] = 5,
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore finished batches of an earlier run.")] = False,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip report.html.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    engine: Annotated[
        str, typer.Option(help="local (processes on this machine) or spark (PySpark; --workers N runs local[N]).")
    ] = "local",
    image_root: Annotated[
        Path | None,
        typer.Option(
            help="Directory whose image files an ad's images field may name (hashed by content); "
            "unset: images are only hashes or URLs and no file is read."
        ),
    ] = None,
) -> None:
    """Scan ads into WORKSPACE: identifiers, indicators, networks, hubs, risk scores and a report."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from threadline.engines.online.backend import Cancelled
    from threadline.engines.online.readers import InputError, is_uri
    from threadline.engines.online.scan import ScanOptions, run_scan

    console = Console(stderr=True)
    opts = ScanOptions(
        batch_size=batch_size, workers=workers, default_region=region, field_map=_parse_map(map_),
        encoding=encoding, lexicons=[str(p) for p in lexicon] if lexicon else None,
        risk_weights=str(risk_weights) if risk_weights else None, text_threshold=text_threshold,
        hub_min_groups=hub_min_groups, boilerplate_min_groups=boilerplate_min_groups, resume=not fresh,
        html_report=not no_report, image_root=str(image_root) if image_root else None,
    )  # fmt: skip
    progress = Progress(TextColumn("{task.description:<14}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                        TimeElapsedColumn(), console=console, disable=quiet, refresh_per_second=2)  # fmt: skip
    tasks: dict[str, int] = {}

    def cb(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total or 1)
        progress.update(tasks[stage], completed=done if total else (1 if done else 0), total=total or 1)

    if engine not in {"local", "spark"}:
        console.print("[red]error:[/red] --engine must be local or spark")
        raise typer.Exit(2)
    if engine == "local" and any(is_uri(p) for p in inputs):
        console.print("[red]error:[/red] inputs given as URIs (s3a://, hdfs://, ...) are read with --engine spark")
        raise typer.Exit(2)
    try:
        with progress:
            if engine == "spark":
                summary = _scan_on_spark(inputs, out, opts, workers, None if quiet else cb, console)
            else:
                summary = run_scan(list(inputs), out, opts, cb)
    except InputError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except Cancelled:
        console.print("cancelled; finished batches are kept, run the same command again to resume")
        raise typer.Exit(130) from None
    except KeyboardInterrupt:
        console.print("interrupted; finished batches are kept, run the same command again to resume")
        raise typer.Exit(130) from None
    c = summary["counts"]
    console.print(
        f"{c['input_records']:,} records: {c['read']:,} read, {c['rejected']:,} rejected; {c['networks']:,} networks "
        f"({c['multi_ad_networks']:,} with 2+ ads), {c['hubs']:,} hubs; {summary['seconds']['total']:.1f} s -> {out}"
    )


def _scan_on_spark(inputs, out, opts, workers, progress, console):
    """The same pipeline through the Spark backend (pyspark is an optional extra, imported here only)."""
    from threadline.engines.spark import SparkUnavailable, run_scan_spark, spark_session

    try:
        spark = spark_session(f"local[{workers}]" if workers > 0 else "local[2]")
    except SparkUnavailable as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    try:
        return run_scan_spark(list(inputs), out, opts, spark=spark, progress=progress)
    finally:
        spark.stop()


def eval_(
    workspace: Annotated[Path, typer.Option("--workspace", "-w", help="Workspace written by threadline scan.")],
    truth: Annotated[Path, typer.Option("--truth", "-t", help="Ground truth Parquet from threadline synth ads.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Pairwise and B-cubed precision/recall/F1 for networks; per-category precision/recall for indicators."""
    from threadline.engines.online.evaluate import evaluate

    res = evaluate(workspace, truth)
    if as_json:
        typer.echo(json.dumps(res, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"Networks ({res['ads_scored']:,} ads)")
    for col in ("measure", "precision", "recall", "F1"):
        t.add_column(col)
    for k in ("pairwise", "bcubed"):
        m = res["networks"][k]
        t.add_row(k, f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['f1']:.4f}")
    con.print(t)
    t2 = Table(title="Indicators (per ad)")
    for col in ("category", "precision", "recall", "support"):
        t2.add_column(col)
    for c, m in res["indicators"].items():
        t2.add_row(c, f"{m['precision']:.4f}", f"{m['recall']:.4f}", str(m["support"]))
    con.print(t2)


def synth_ads(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .parquet, .jsonl, .jsonl.gz or .csv.")],
    n: Annotated[int, typer.Option("--n", help="Number of ads.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    # the default is synth.DEFAULT_GENERATOR_VERSION (not imported: the CLI loads engines lazily)
    generator_version: Annotated[
        int,
        typer.Option(
            "--generator-version",
            help="1: the original generator (old seeds give the old corpora); 2: adds site "
            "boilerplate, copy-paste texts, agencies, spam campaigns and template changes.",
        ),
    ] = 2,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            help="Rates of the version 2 phenomena: default, alt (a differently-parameterised corpus) or agencies "
            "(the default rates plus small agencies of 2-9 workers).",
        ),
    ] = "default",
) -> None:
    """Synthetic ads (bland, non-explicit) with planted networks, hubs and indicators, plus ground truth."""
    from threadline.engines.online.synth import GENERATOR_VERSIONS, write_corpus
    from threadline.engines.online.synth_v2 import PROFILES

    if generator_version not in GENERATOR_VERSIONS:
        raise typer.BadParameter(f"choose one of {', '.join(map(str, GENERATOR_VERSIONS))}",
                                 param_hint="--generator-version")  # fmt: skip
    if profile not in PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(PROFILES)}", param_hint="--profile")
    path, truth = write_corpus(n, seed, out, version=generator_version, profile=profile)
    typer.echo(f"wrote {n:,} ads to {path} and ground truth to {truth}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add this area's commands to the root app and to the shared groups (``synth``, ``insights``)."""
    app.command("scan")(scan)
    app.command("eval")(eval_)
    groups["synth"].command("ads")(synth_ads)
