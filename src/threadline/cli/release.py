"""``threadline insights release``: protected statistics out of the organisation (never starts Django)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def _data_dir() -> Path:
    return Path(os.environ.get("THREADLINE_DATA_DIR") or (Path.cwd() / "data"))


def _load_from_store(store: Path | None):
    try:
        from threadline.engines.insights.store import records_table
    except ImportError as exc:
        raise typer.BadParameter(
            "the insights store is not available in this installation; pass --input FILE (Parquet or CSV)",
            param_hint="--store",
        ) from exc
    root = store or _data_dir() / "insights"
    table = records_table(root)
    if table.num_rows == 0:
        raise typer.BadParameter(
            f"the insights store at {root} has no records; import some first or pass --input FILE",
            param_hint="--store",
        )
    return table


def release_command(
    by: Annotated[str, typer.Option("--by", help="Fields to group by, comma-separated (CTDC names).")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    k: Annotated[int | None, typer.Option("--k", help="Suppression threshold (default 11, as CTDC).")] = None,
    epsilon: Annotated[
        float | None, typer.Option("--epsilon", help="Differential privacy instead of suppression: epsilon.")
    ] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="Parquet or CSV records (CTDC column names).")
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="Insights store (default $THREADLINE_DATA_DIR/insights), without --input."),
    ] = None,
    dataset_id: Annotated[
        str | None,
        typer.Option("--dataset-id", help="Ledger key of the dataset (default: the store or input path)."),
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option("--ledger", help="Release ledger (default $THREADLINE_DATA_DIR/disclosure/release-ledger.json)."),
    ] = None,
    budget_file: Annotated[
        Path | None,
        typer.Option(
            "--budget-file", help="Budget ledger (default $THREADLINE_DATA_DIR/disclosure/budget-ledger.json)."
        ),
    ] = None,
    total_epsilon: Annotated[
        float, typer.Option("--total-epsilon", help="A dataset's total budget, fixed on its first DP release.")
    ] = 4.0,
    alpha: Annotated[float, typer.Option("--alpha", help="DP accuracy is stated at (1 - alpha) confidence.")] = 0.05,
    synthetic: Annotated[
        Path | None, typer.Option("--synthetic", help="Also write synthetic microdata from the protected table.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic microdata.")] = 0,
) -> None:
    """Release counts by FIELD,FIELD with disclosure control (suppression below k, or OpenDP noise)."""
    from threadline.engines import disclosure as dc

    if k is not None and epsilon is not None:
        raise typer.BadParameter("use either --k or --epsilon, not both", param_hint="--k/--epsilon")
    fields = [f.strip() for f in by.split(",") if f.strip()]
    try:
        dc.fields.check_fields(fields)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from exc
    if input_file is not None:
        if not input_file.exists():
            raise typer.BadParameter(f"{input_file} does not exist", param_hint="--input")
        table = dc.read_records(input_file)
        dataset = dataset_id or f"file:{input_file.resolve()}"
    else:
        table = _load_from_store(store)
        dataset = dataset_id or f"store:{(store or _data_dir() / 'insights').resolve()}"
    base = _data_dir() / "disclosure"
    try:
        if epsilon is not None:
            budget = dc.BudgetLedger(budget_file or base / "budget-ledger.json", total_epsilon)
            protected = dc.dp_counts(table, fields, epsilon, budget, dataset_id=dataset, alpha=alpha)
        else:
            protected = dc.suppress(
                dc.crosstab(table, fields, dataset_id=dataset),
                k if k is not None else dc.DEFAULT_K,
                ledger=dc.ReleaseLedger(ledger or base / "release-ledger.json"),
            )
    except (dc.BudgetExceeded, dc.ReleaseRefused, dc.LedgerError) as exc:
        typer.echo(f"Release refused: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    dc.to_csv(protected, out)
    typer.echo(f"Wrote {out}: {dc.describe(protected)}")
    for note in protected.notes:
        typer.echo(f"  {note}")
    if synthetic is not None:
        syn = dc.synthesise([protected], seed=seed)
        import pyarrow.csv as pacsv

        from threadline.engines import csvsafe

        synthetic.parent.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(csvsafe.table(syn), synthetic)
        typer.echo(f"Wrote {synthetic}: {syn.num_rows} synthetic records (no combination rarer than k).")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add this area's commands to the root app and to the shared groups (``synth``, ``insights``)."""
    groups["insights"].command("release")(release_command)
