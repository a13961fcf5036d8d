"""Disclosure-control benchmark: the dashboards' 26 suppressed tables protected as one set, then a release
audited against them, on synthetic multi-agency records of several sizes.

    .venv/bin/python benchmarks/bench_disclosure.py --sizes 400 6000 100000

Small stores are the hard case (most figures are below k, so the hidden figures form one large system of
equations); large ones cost mostly the reading and counting of records.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path


def _store(n: int, root: Path, seed: int):
    from threadline.engines.insights import Store, generate, import_file, write_agency_files

    store = Store(root / f"store-{n}")
    data = generate(n, agencies=3, seed=seed)
    for path in write_agency_files(data, root / f"files-{n}"):
        if path.name.startswith("agency"):
            import_file(path, "htcds", path.stem, store)
    return store


def _django(data_dir: str) -> None:
    """The dashboards' table specifications live in the insights app, which needs Django's settings (no
    database is opened)."""
    os.environ.setdefault("THREADLINE_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "threadline.settings")
    os.environ.setdefault("THREADLINE_DEBUG", "1")
    import django

    django.setup()


def run(n: int, root: Path, seed: int) -> dict:
    from threadline.engines.disclosure import ReleaseLedger, ReleaseRefused, crosstab, suppress, suppress_jointly
    from threadline.engines.insights import records_table
    from threadline.insights.dashboards import MAX_CATEGORIES, suppressed_specs
    from threadline.insights.protection import release_fields

    store = _store(n, root, seed)
    specs = suppressed_specs()
    t0 = time.perf_counter()
    table = records_table(store, columns=sorted({f for by in specs for f in by} | {"cluster_id"}))
    cts = [crosstab(table, by, version="v1", allowed=release_fields()) for by in specs]
    count_s = time.perf_counter() - t0
    ledger = ReleaseLedger(root / f"ledger-{n}.json")
    t0 = time.perf_counter()
    results = suppress_jointly(cts, 11, ledger=ledger, max_categories=MAX_CATEGORIES, kind="dashboard")
    joint_s = time.perf_counter() - t0
    tables = [r for r in results if not isinstance(r, ReleaseRefused)]
    figures = sum(len(t.cells) for t in tables)
    hidden = sum(1 for t in tables for c in t.cells if c.value is None)
    full = records_table(store)
    t0 = time.perf_counter()
    try:
        suppress(crosstab(full, ["citizenship", "ageBroad"], version="v1"), 11, ledger=ledger)
        release = "released"
    except ReleaseRefused:
        release = "refused"
    release_s = time.perf_counter() - t0
    row = {
        "records": n,
        "count_s": round(count_s, 2),
        "joint_s": round(joint_s, 2),
        "tables": f"{len(tables)} of {len(specs)}",
        "figures": figures,
        "hidden": hidden,
        "release_s": round(release_s, 2),
        "release": release,
    }
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 6000], help="records per run")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        _django(tmp)
        for n in args.sizes:
            run(n, Path(tmp), args.seed)


if __name__ == "__main__":
    main()
