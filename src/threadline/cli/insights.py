"""``threadline insights`` (import, validate, link, export) and ``threadline synth records``.

Never imports Django: engine modules are imported inside each command, and the group's one platform command
(``withdraw``, which acts on the web app's imports and writes the audit log) lives in
:mod:`threadline.cli.insights_platform`. The store directory is resolved here (``--store``, else
``$THREADLINE_DATA_DIR/insights``) and passed to the engine. Bad arguments exit with code 2; a file that fails
validation exits with code 1 after printing every problem (file, row, column, reason; never the offending
value) and stores nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from threadline.cli.common import dump, fail

_STORE_HELP = "Store directory (default: $THREADLINE_DATA_DIR/insights)."
_KEY_HELP = (
    "File holding the linkage key shared by the participating agencies (needed only to encode raw "
    "identifiers; also read from $THREADLINE_LINKAGE_KEY_FILE)."
)


def _read_mapping(path: Path | None) -> dict[str, str | None] | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(f"cannot read the mapping {path}: {exc.strerror or exc}")
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception:
        fail(f"the mapping {path} is not valid JSON/YAML")
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()
    ):
        fail("the mapping must be an object of file column -> canonical column (or null to ignore)")
    return data


def _read_key(path: Path | None) -> bytes | None:
    if path is None and os.environ.get("THREADLINE_LINKAGE_KEY_FILE"):
        path = Path(os.environ["THREADLINE_LINKAGE_KEY_FILE"])
    if path is None:
        return None
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        fail(f"cannot read the key file {path}: {exc.strerror or exc}")
    if len(key) < 16:
        fail("the linkage key must be at least 16 bytes")
    return key


def _store(store: Path | None) -> Path:
    """The store directory: ``--store``, else ``$THREADLINE_DATA_DIR/insights`` (``./data/insights``). The
    command line resolves it; the engine is always given a directory."""
    if store is not None:
        return store
    return Path(os.environ.get("THREADLINE_DATA_DIR") or (Path.cwd() / "data")) / "insights"


def _write_report(path: Path | None, data: dict) -> None:
    if path is not None:
        path.write_text(json.dumps(data, indent=2, default=str))


def _link_on_spark(store, *, threshold, truth):
    """Splink on Spark with the same settings as the DuckDB path (pyspark is an optional extra)."""
    from threadline.engines.spark import SparkUnavailable, link_spark, spark_session

    try:
        spark = spark_session("local[2]")
    except SparkUnavailable as exc:
        fail(str(exc))
    try:
        return link_spark(store, spark=spark, threshold=threshold, truth=truth)
    finally:
        spark.stop()


def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV (or .xlsx for htcds) file from a partner.")],
    fmt: Annotated[str, typer.Option("--format", help="ctdc | ctdc-synthetic | htcds")],
    source: Annotated[str, typer.Option("--source", help="Name of the partner organisation / source.")],
    store: Annotated[Path | None, typer.Option("--store", help=_STORE_HELP)] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="JSON/YAML: file column -> canonical column (htcds).")
    ] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help=_KEY_HELP)] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the full report as JSON here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Store nothing if any value or row has a problem (all or nothing).")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="CSV for the quarantined rows (default: FILE.rejects.csv beside FILE)."),
    ] = None,
) -> None:
    """Import a file as a new batch (atomic). Unreadable values become missing and are reported; rows with
    the wrong number of cells or no case id are quarantined to the rejects file. Exit 1 when nothing is
    stored."""
    from threadline.engines.insights.importers import ImportError_, import_file

    if rejects is None and not strict:
        rejects = file.with_name(f"{file.stem}.rejects.csv")
    try:
        result = import_file(
            file,
            fmt,
            source,
            _store(store),
            _read_mapping(mapping),
            key=_read_key(key_file),
            strict=strict,
            rejects=rejects,
        )
    except ImportError_ as exc:
        fail(str(exc))
    _write_report(report, result.to_dict())
    if as_json:
        dump(result.to_dict())
    else:
        typer.echo(result.validation.summary() if result.validation else "")
        if result.stored:
            typer.echo(
                f"stored {result.stored_rows} records as batch {result.batch_id}; {result.quarantined} rows quarantined"
            )
        if result.rejects_file:
            typer.echo(f"quarantined rows written to {result.rejects_file}")
    if not result.stored:
        raise typer.Exit(1)


def validate_cmd(
    file: Annotated[Path, typer.Argument(help="CSV (or .xlsx for htcds) file from a partner.")],
    fmt: Annotated[str, typer.Option("--format", help="ctdc | ctdc-synthetic | htcds")],
    mapping: Annotated[Path | None, typer.Option("--mapping", help="JSON/YAML column mapping (htcds).")] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help=_KEY_HELP)] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the full report as JSON here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Every problem refuses the file.")] = False,
) -> None:
    """Check a file without storing anything; exit 1 when an import would store nothing."""
    from threadline.engines.insights.importers import ImportError_, validate_file

    try:
        result = validate_file(file, fmt, mapping=_read_mapping(mapping), key=_read_key(key_file), strict=strict)
    except ImportError_ as exc:
        fail(str(exc))
    _write_report(report, result.to_dict())
    if as_json:
        dump(result.to_dict())
    else:
        typer.echo(result.summary())
    if not result.ok:
        raise typer.Exit(1)


def link_cmd(
    store: Annotated[Path | None, typer.Option("--store", help=_STORE_HELP)] = None,
    backend: Annotated[
        str, typer.Option("--backend", "--engine", help="duckdb, or spark (Splink's Spark backend, local[2])")
    ] = "duckdb",
    threshold: Annotated[float, typer.Option("--threshold", min=0.5, max=0.9999)] = 0.8,
    truth: Annotated[
        Path | None, typer.Option("--truth", help="record_id,person_id CSV (synthetic data) for F1.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Link records across sources on their encodings and estimate how many distinct victims there are."""
    try:
        if backend == "spark":
            result = _link_on_spark(_store(store), threshold=threshold, truth=truth)
        else:
            from threadline.engines.insights.linkage import link

            result = link(_store(store), backend, threshold=threshold, truth=truth)
    except (ValueError, NotImplementedError) as exc:
        fail(str(exc))
    if as_json:
        dump(result.to_dict())
    else:
        typer.echo(result.summary())


def export_cmd(
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv, or .xlsx for htcds-xlsx).")],
    fmt: Annotated[
        str, typer.Option("--format", help="ctdc | ctdc-synthetic | htcds | htcds-xlsx (the official template)")
    ] = "ctdc",
    store: Annotated[Path | None, typer.Option("--store", help=_STORE_HELP)] = None,
    dedupe: Annotated[
        bool, typer.Option("--dedupe", help="One record per linkage cluster (count each victim once).")
    ] = False,
) -> None:
    """Export the store's records as CTDC or HTCDS 2.0 (never identifiers or encodings); importing the file
    back gives the same records."""
    from threadline.engines.insights.export import export_ctdc

    try:
        rows = export_ctdc(_store(store), out, fmt, dedupe=dedupe)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"wrote {rows} records to {out}")


def synth_records(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of records in total.")] = 10000,
    agencies: Annotated[int, typer.Option("--agencies", min=1, max=99)] = 3,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    dup_rate: Annotated[float, typer.Option("--dup-rate", min=0.0, max=1.0)] = 0.3,
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the made-up identifiers instead of their encodings.")
    ] = False,
    messy: Annotated[
        float,
        typer.Option(
            "--messy",
            min=0.0,
            max=1.0,
            help="Share of rows with a partner file's problems: typo'd dates (with --raw), unknown values, "
            "00 codes, bad flags, short rows, missing case ids (listed in messy.json).",
        ),
    ] = 0.0,
) -> None:
    """Synthetic multi-agency records (made-up people) with planted duplicates and truth.csv."""
    from threadline.engines.insights.synthetic import generate, write_agency_files

    data = generate(n, agencies, seed, dup_rate=dup_rate)
    paths = write_agency_files(data, out, raw=raw, messy=messy, seed=seed)
    typer.echo(
        f"wrote {data.table.num_rows} records for {len(paths)} agencies, truth.csv and the demo linkage.key to {out}"
    )


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add this area's commands (defined above) to the shared groups (``insights``, ``synth``)."""
    groups["insights"].command("import")(import_cmd)
    groups["insights"].command("validate")(validate_cmd)
    groups["insights"].command("link")(link_cmd)
    groups["insights"].command("export")(export_cmd)
    groups["synth"].command("records")(synth_records)
    # ``withdraw`` acts on the web app's imports (database, audit log): a platform command that starts Django,
    # kept in its own module so that this one never does.
    from threadline.cli import insights_platform

    insights_platform.register(app, groups)
