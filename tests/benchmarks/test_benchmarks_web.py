"""The web benchmarks (pages through the whole Django stack) still run at a tiny size; see
``test_benchmarks_run.py`` for why. Split from it so that the two files run on different test workers."""

from __future__ import annotations

from tests.benchmarks.test_benchmarks_run import BENCH_MARKS, run_bench

pytestmark = BENCH_MARKS


def test_cases_benchmark_serves_the_pages():
    out = run_bench("bench_cases.py", "--n", "1200", "--repeats", "2", timed=True)
    assert "worst p95 of list and search pages" in out


def test_prevention_dashboard_benchmark_serves_the_pages():
    out = run_bench("bench_prevention_web.py", "--n", "2000", "--schools", "20", "--repeats", "2", timed=True)
    assert "dashboard p95:" in out


def test_online_review_benchmark_serves_the_network_pages(tmp_path):
    out = run_bench(
        "bench_online_web.py",
        "--ads",
        "3000",
        "--base",
        "1000",
        "--repeat",
        "1",
        "--workdir",
        str(tmp_path),
        timed=True,
    )
    assert "first page slowest" in out
