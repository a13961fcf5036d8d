"""Prevention analysis benchmark: read, check and analyse pre/post questionnaire responses.

    .venv/bin/python benchmarks/bench_prevention.py --sizes 100000 1000000 --schools 2000

The responses come from the seeded generator (pupil questionnaire, 12 items, 3 scales, about 40 % of pupils
with a pairing code, 3 % blank answers, 0.2 % invalid rows). The target (issue #15): 1,000,000 responses
across 2,000 schools analysed in under 10 s on 2 cores. The figure timed is reading the CSV file, checking
every row and computing every scale and item overall and by sex and age band, paired and unpaired, with
suppression; writing the synthetic file is timed apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path


def run(n: int, schools: int, root: Path, seed: int) -> dict:
    from threadline.engines.prevention import (
        analyse,
        generate_responses,
        get_questionnaire,
        read_responses,
        write_responses,
    )

    q = get_questionnaire("pupil-prepost-starter")
    t0 = time.perf_counter()
    path = write_responses(generate_responses(q, n, schools=schools, seed=seed), root / f"responses-{n}.csv")
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    responses = read_responses(path, q)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = analyse(responses)
    analyse_s = time.perf_counter() - t0
    return {
        "n": n,
        "mb": path.stat().st_size / 1e6,
        "generate": generate_s,
        "read": read_s,
        "analyse": analyse_s,
        "total": read_s + analyse_s,
        "bad": sum(responses.problem_counts.values()),
        "pairs": result.respondents["pairs"],
        "rows": len(result.rows),
        "suppressed": len(result.suppressed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print("| responses | CSV | generate | read + check | analyse | **total** | bad rows | pairs | rows | suppressed |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run(n, args.schools, Path(tmp), args.seed)
            print(
                f"| {r['n']:,} | {r['mb']:.0f} MB | {r['generate']:.1f} s | {r['read']:.2f} s | {r['analyse']:.2f} s "
                f"| **{r['total']:.2f} s** | {r['bad']:,} | {r['pairs']:,} | {r['rows']:,} | {r['suppressed']} |"
            )


if __name__ == "__main__":
    main()
