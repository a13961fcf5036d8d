"""HTCDS 2.0 export benchmark: a store of seeded synthetic records exported as HTCDS CSV and in the official
spreadsheet layout, each imported back to check that nothing was lost.

    python benchmarks/bench_htcds_export.py --n 60000

Prints the wall and CPU time of each step with the machine's load average (the machine may be shared), and the
rows written and read back.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
from pathlib import Path

from bench_insights import Step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60_000, help="records (default 60000)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--skip-xlsx", action="store_true", help="only the CSV layout")
    parser.add_argument(
        "--verify", action=argparse.BooleanOptionalAction, default=True, help="import each export back (strict)"
    )
    args = parser.parse_args()

    from threadline.engines.insights import export_htcds, import_file
    from threadline.engines.insights.synthetic import generate, write_agency_files

    work = Path(tempfile.mkdtemp(prefix="bench-htcds-"))
    rows: list[tuple[str, str]] = []
    print(f"HTCDS export benchmark: n={args.n} seed={args.seed} in {work}", flush=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}", flush=True)
    try:
        files = write_agency_files(generate(args.n, 1, args.seed), work / "synth")
        store = work / "store"
        for f in files:
            assert import_file(f, "htcds", f.stem, store).stored
        layouts = [("csv", False)] + ([] if args.skip_xlsx else [("xlsx", True)])
        for suffix, spreadsheet in layouts:
            out = work / f"export.{suffix}"
            with Step(rows, f"export HTCDS {suffix} ({args.n} records)"):
                written = export_htcds(store, out, spreadsheet=spreadsheet)
            size = out.stat().st_size / 1e6
            assert written == args.n
            read = "not checked"
            if args.verify:
                back = import_file(out, "htcds", f"back-{suffix}", work / f"store-{suffix}", strict=True)
                assert back.stored and back.rows == written, back.validation.summary()
                read = str(back.rows)
            rows.append((f"{suffix}: rows written / read back, size", f"{written} / {read}, {size:.1f} MB"))
        print(f"\nrun at load average {os.getloadavg()} on {os.cpu_count()} CPUs")
        print("\n| step | result |\n| --- | --- |")
        for name, value in rows:
            print(f"| {name} | {value} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
