"""Every benchmark of ``make bench`` still runs, at a tiny size, and gives the results it gave before.

The benchmarks are scripts outside the package, so a refactoring can break them without any other test
noticing (issue #17: the disclosure benchmark stopped at import once the dashboards module needed Django's
settings, and the prevention dashboard benchmark called a service that had moved). Each runs here as a
subprocess, as ``make bench`` runs it, on a few thousand synthetic records; the seeded figures it prints are
pinned, so a change of result shows as well as a crash. Times are not checked (benchmarks, not tests, do that).

They touch no test database, so they run once, in the SQLite suite (like the Spark tests).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BENCH_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("THREADLINE_DATABASE_URL")), reason="run once, in the SQLite suite (no database used)"
    ),
]
pytestmark = BENCH_MARKS


def run_bench(script: str, *args: str, timeout: int = 240, timed: bool = False) -> str:
    """Run ``benchmarks/<script>`` as ``make bench`` does and return what it printed. A ``timed`` benchmark
    exits 1 when its time target is missed, which a shared test machine says nothing about. A crash also exits 1,
    so the caller checks for the summary line the benchmark prints last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THREADLINE_", "DJANGO_"))}
    env["PYTHONPATH"] = str(ROOT / "src")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode in ((0, 1) if timed else (0,)), (
        f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def test_disclosure_benchmark_protects_the_dashboard_tables():
    out = run_bench("bench_disclosure.py", "--sizes", "400")
    # The seeded 400-record store: the flows table is too sparse to show; 1,665 of 1,809 figures hidden.
    assert "'tables': '25 of 26', 'figures': 1809, 'hidden': 1665" in out
    assert "'release': 'refused'" in out


def test_prevention_benchmark_reads_checks_and_analyses():
    out = run_bench("bench_prevention.py", "--sizes", "2000", "--schools", "20")
    row = next(line for line in out.splitlines() if line.startswith("| 2,000 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[-4:] == ["5", "354", "270", "90"]  # bad rows, pairs, rows, suppressed


def test_online_benchmark_scans_and_runs_the_baseline(tmp_path):
    out = run_bench("bench_online.py", "--sizes", "2000", "--baseline-max", "2000", "--workdir", str(tmp_path))
    assert '"exit": 0' in out
    assert re.search(r'"pairwise": \{"precision": 1\.0, "recall": 0\.98', out), out[-2000:]
    assert '"baseline_seconds"' in out


def test_insights_benchmark_imports_and_links(tmp_path):
    out = run_bench("bench_insights.py", "--n", "2000", "--agencies", "2", "--workdir", str(tmp_path))
    assert "| pairwise precision / recall / F1 | 1.0000 / 0.9789 / 0.9893 |" in out
    assert "| true people / estimated victims | 1574 / 1583 |" in out


def test_htcds_export_benchmark_round_trips():
    out = run_bench("bench_htcds_export.py", "--n", "300", "--skip-xlsx")
    assert "| csv: rows written / read back, size | 300 / 300," in out
