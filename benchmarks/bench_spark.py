"""Benchmark of the Spark engine in local mode: the scaling curve over executor cores, per-task throughput and the
volumes that a cluster would shuffle, next to the local engine on the same corpus.

    .venv/bin/python benchmarks/bench_spark.py                         # 4,000 ads, local[1] and local[2]
    .venv/bin/python benchmarks/bench_spark.py --sizes 4000 20000 --cores 1 2 --local
    .venv/bin/python benchmarks/bench_spark.py --json out.json

Each size gets a seeded synthetic corpus (Parquet, cached in --workdir). One Spark session is started per core
count (its start-up time is reported apart and not counted in the scan). Measured per run: wall time per stage,
the executors' summed task time in read+extract (from the tasks' own timers, so ads per core-second), the bytes
Spark wrote to shuffle files and to the intermediate Parquet (``_spark/analysed``), and the row counts that drive
the shuffles (band rows, identifier-key rows, candidate pairs). ``--local`` adds the local engine for comparison.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shuffle_bytes(spark) -> tuple[int, int]:
    """(shuffle bytes written, shuffle bytes read) over all executors so far, from Spark's live status store."""
    try:
        execs = spark.sparkContext._jsc.sc().statusStore().executorList(True)
        w = r = 0
        for i in range(execs.size()):
            e = execs.apply(i)
            w += int(e.totalShuffleWrite())
            r += int(e.totalShuffleRead())
        return w, r
    except Exception:  # internal API; the benchmark still reports everything else
        return -1, -1


def _dir_bytes(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.exists() else 0


def run(sizes: list[int], cores: list[int], workdir: Path, with_local: bool, batch_size: int) -> list[dict]:
    from threadline.engines.online.scan import ScanOptions, run_scan
    from threadline.engines.online.synth import write_corpus
    from threadline.engines.spark import run_scan_spark, spark_session

    workdir.mkdir(parents=True, exist_ok=True)
    corpora = {}
    for n in sizes:
        path = workdir / f"ads-{n}.parquet"
        if not path.exists():
            write_corpus(n, 1, path)
        corpora[n] = path
    results = []
    if with_local:
        for n in sizes:
            out = workdir / f"ws-local-{n}"
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            s = run_scan([corpora[n]], out, ScanOptions(batch_size=batch_size, html_report=False))
            wall = round(time.perf_counter() - t0, 2)
            results.append({"engine": "local", "ads": n, "cores": s["workers"], "wall_s": wall,
                            "stages_s": s["seconds"], "counts": s["counts"]})  # fmt: skip
            print(json.dumps(results[-1]), flush=True)
    for c in cores:
        t0 = time.perf_counter()
        spark = spark_session(f"local[{c}]", app_name=f"bench-{c}", **{
            "spark.sql.shuffle.partitions": str(2 * c), "spark.default.parallelism": str(2 * c)})  # fmt: skip
        startup = round(time.perf_counter() - t0, 1)
        for n in sizes:
            out = workdir / f"ws-spark-{c}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            w0, r0 = _shuffle_bytes(spark)
            t0 = time.perf_counter()
            s = run_scan_spark([corpora[n]], out, ScanOptions(batch_size=batch_size, html_report=False), spark=spark,
                               keep_intermediate=True)  # fmt: skip
            wall = time.perf_counter() - t0
            w1, r1 = _shuffle_bytes(spark)
            task_s = s["spark"]["task_seconds"]
            res = {
                "engine": "spark", "master": f"local[{c}]", "ads": n, "cores": c, "session_start_s": startup,
                "wall_s": round(wall, 2), "stages_s": s["seconds"], "tasks": s["batches"]["total"],
                "extract_task_s": task_s, "ads_per_core_s_extract": round(n / task_s, 1) if task_s else None,
                "shuffle_write_bytes": w1 - w0 if w0 >= 0 else None, "shuffle_read_bytes": r1 - r0 if r0 >= 0 else None,
                "analysed_parquet_bytes": _dir_bytes(out / "_spark" / "analysed"),
                "output_bytes": sum((out / f"{t}.parquet").stat().st_size for t in ("ads", "entities", "indicators")),
                "volumes": s["spark"]["volumes"], "counts": s["counts"],
            }  # fmt: skip
            results.append(res)
            print(json.dumps(res), flush=True)
            shutil.rmtree(out / "_spark", ignore_errors=True)
        spark.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000])
    ap.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--local", action="store_true", help="also run the local engine on each size")
    ap.add_argument("--workdir", type=Path, default=ROOT / ".bench" / "spark")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)
    results = run(args.sizes, args.cores, args.workdir, args.local, args.batch_size)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
