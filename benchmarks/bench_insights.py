"""Insights engine benchmark: synthetic multi-agency data -> import -> link -> CTDC export/import.

Default size is modest so that ``make bench`` finishes quickly; the targets are for 1,000,000 records:

    .venv/bin/python benchmarks/bench_insights.py --n 1000000 --agencies 5

Targets: 1M records import (CTDC 63-column file into Parquet) in under 60 s; 1M records linked in under 180 s;
pairwise F1 at least 0.95 against the planted duplicates.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path


class Step:
    """Wall time, CPU time of this process (all threads) and the load average at the end of a step."""

    def __init__(self, rows: list[tuple[str, str]], name: str):
        self.rows, self.name = rows, name

    def __enter__(self):
        self.wall = time.perf_counter()
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = ru.ru_utime + ru.ru_stime
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        ru = resource.getrusage(resource.RUSAGE_SELF)
        cpu = ru.ru_utime + ru.ru_stime - self.cpu
        wall = time.perf_counter() - self.wall
        load = os.getloadavg()[0]
        self.rows.append((self.name, f"{wall:.1f} s wall, {cpu:.1f} s CPU, load {load:.1f}"))
        print(self.rows[-1], flush=True)
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="records in total (default 100000)")
    parser.add_argument("--agencies", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (default: a temp dir)")
    parser.add_argument(
        "--reuse-synth", action="store_true", help="reuse agency files already in WORKDIR/synth (same n and seed)"
    )
    args = parser.parse_args()

    from threadline.engines.insights import export_ctdc, import_file, link
    from threadline.engines.insights.synthetic import generate, write_agency_files

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-insights-"))
    work.mkdir(parents=True, exist_ok=True)
    synth, store, store2 = work / "synth", work / "store", work / "store-ctdc"
    reuse = args.reuse_synth and (synth / "truth.csv").exists()
    for d in (store, store2) if reuse else (synth, store, store2):
        shutil.rmtree(d, ignore_errors=True)
    rows: list[tuple[str, str]] = []
    print(f"insights benchmark: n={args.n} agencies={args.agencies} seed={args.seed} in {work}", flush=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        flush=True,
    )

    if reuse:
        files = sorted(synth.glob("agency*.csv"))
    else:
        with Step(rows, "generate + encode + write agency CSVs (not a target)"):
            data = generate(args.n, args.agencies, args.seed)
            files = write_agency_files(data, synth)
        del data

    with Step(rows, f"import {args.agencies} HTCDS CSVs with encodings ({args.n} records)"):
        for f in files:
            rep = import_file(f, "htcds", f.stem, store)
            assert rep.stored, rep.validation.summary()

    with Step(rows, f"link {args.n} records (Splink, DuckDB)"):
        report = link(store, threshold=args.threshold, truth=synth / "truth.csv")
    print(report.summary(), flush=True)

    with Step(rows, f"export CTDC 63-column CSV ({args.n} records)"):
        n_out = export_ctdc(store, work / "ctdc.csv", "ctdc")
    assert n_out == args.n

    with Step(rows, f"import CTDC 63-column CSV ({args.n} records)"):
        rep = import_file(work / "ctdc.csv", "ctdc", "ctdc", store2)
    assert rep.stored, rep.validation.summary()

    q = report.quality
    rows += [
        ("pairwise precision / recall / F1", f"{q['precision']:.4f} / {q['recall']:.4f} / {q['f1']:.4f}"),
        ("true people / estimated victims", f"{q['true_people']} / {report.clusters}"),
        ("link phases", ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())),
    ]
    print(f"\nrun at load average {os.getloadavg()} on {os.cpu_count()} CPUs")
    print("\n| step | result |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
