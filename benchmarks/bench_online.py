"""Benchmark of the online identification engine: speed, peak memory and quality from 10k to 4M ads, against a
baseline built on the ``datasketch`` library.

    .venv/bin/python benchmarks/bench_online.py                  # default: 10k and 50k ads (a few minutes)
    .venv/bin/python benchmarks/bench_online.py --full           # 10k, 100k, 1M and 4M ads (long)
    .venv/bin/python benchmarks/bench_online.py --sizes 1000000 --baseline-max 100000
    .venv/bin/python benchmarks/bench_online.py --sizes 200000 --baseline-max 200000 --generator-version 2
    .venv/bin/python benchmarks/bench_online.py --sizes 200000 --generator-version 2 --profile alt --seed 11

``--generator-version 2`` is the harder corpus (site boilerplate, copy-paste texts, agencies, spam campaigns);
``--profile alt`` a differently-parameterised one. Each row also gives the largest predicted network and the
number of true groups it spans, and the most true groups any predicted network spans.

Each size gets a seeded synthetic corpus (cached in --workdir). The scan runs as ``threadline scan`` in a
subprocess; peak memory is the largest sum of resident memory over that process and its workers, sampled every
0.2 s. The baseline (128-permutation MinHash + MinHashLSH + union-find over naively extracted identifiers) runs
in this process on sizes up to --baseline-max; its peak memory is not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TL = str(Path(sys.executable).parent / "threadline")


def _tree_rss(pid: int) -> int:
    total = 0
    stack = [pid]
    seen = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as fh:
                    stack.extend(int(x) for x in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    stop.set()
    th.join()
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    return time.perf_counter() - t0, peak, proc.returncode


def corpus(workdir: Path, n: int, seed: int, version: int = 1, profile: str = "default") -> tuple[Path, Path, float]:
    from threadline.engines.online.synth import truth_path_for, write_corpus

    p = workdir / (f"ads-{n}.parquet" if version == 1 else f"ads-v{version}-{profile}-s{seed}-{n}.parquet")
    if p.exists() and truth_path_for(p).exists():
        return p, truth_path_for(p), 0.0
    t0 = time.perf_counter()
    write_corpus(n, seed, p, version=version, profile=profile)
    return p, truth_path_for(p), time.perf_counter() - t0


# ------------------------------------------------------------------------------------------ the baseline
_PHONE = re.compile(r"\+?\d[\d\s().\-]{7,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def baseline(path: Path, out_csv: Path, threshold: float = 0.5, num_perm: int = 128) -> float:
    """datasketch MinHash + MinHashLSH on word 3-grams, union-find with naive phone/email keys."""
    import pyarrow.parquet as pq
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    tbl = pq.read_table(path, columns=["id", "title", "body"])
    ids = tbl["id"].to_pylist()
    titles = tbl["title"].to_pylist()
    bodies = tbl["body"].to_pylist()
    parent = list(range(len(ids)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    first_of: dict[str, int] = {}
    for i, (t, b) in enumerate(zip(titles, bodies, strict=True)):
        text = f"{t or ''}\n{b or ''}"
        for m in _PHONE.findall(text):
            d = re.sub(r"\D", "", m)[-10:]
            if len(d) >= 9:
                union(i, first_of.setdefault("p" + d, i))
        for m in _EMAIL.findall(text):
            union(i, first_of.setdefault("e" + m.lower(), i))
        words = text.lower().split()
        sh = {" ".join(words[j : j + 3]).encode() for j in range(max(1, len(words) - 2))}
        mh = MinHash(num_perm=num_perm)
        mh.update_batch(list(sh))
        for other in lsh.query(mh):
            union(i, other)
        lsh.insert(i, mh)
    with open(out_csv, "w") as fh:
        fh.write("ad_id,network_id\n")
        for i, a in enumerate(ids):
            fh.write(f"{a},B{find(i)}\n")
    return time.perf_counter() - t0


def spread(networks_csv: Path, truth: Path) -> dict:
    """Largest predicted network, the true groups it spans, and the most true groups any network spans."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    t = pq.read_table(truth, columns=["ad_id", "network"])
    true_of = dict(zip(t["ad_id"].to_pylist(), t["network"].to_pylist(), strict=True))
    p = pacsv.read_csv(networks_csv, convert_options=pacsv.ConvertOptions(column_types={"network_id": "string"}))
    groups: dict[str, set] = {}
    size: dict[str, int] = {}
    for a, nid in zip(p["ad_id"].to_pylist(), p["network_id"].to_pylist(), strict=True):
        groups.setdefault(nid, set()).add(true_of.get(a))
        size[nid] = size.get(nid, 0) + 1
    largest = max(size, key=lambda k: (size[k], k))
    return {"largest": size[largest], "largest_spans": len(groups[largest]),
            "max_spans": max(len(g) for g in groups.values()),
            "over_20_groups": sum(len(g) > 20 for g in groups.values())}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,50000")
    ap.add_argument("--full", action="store_true", help="10k, 100k, 1M and 4M ads")
    ap.add_argument("--baseline-max", type=int, default=50_000)
    ap.add_argument("--workdir", default="/tmp/threadline-bench-online")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--generator-version", type=int, default=1)
    ap.add_argument("--profile", default="default")
    args = ap.parse_args()
    sizes = [10_000, 100_000, 1_000_000, 4_000_000] if args.full else [int(x) for x in args.sizes.split(",")]
    wd = Path(args.workdir)
    wd.mkdir(parents=True, exist_ok=True)
    from threadline.engines.online.evaluate import evaluate

    t0 = time.process_time()
    w0 = time.perf_counter()
    acc = 0
    for i in range(5_000_000):
        acc += i
    calib = {"loop_cpu_s": round(time.process_time() - t0, 2), "loop_wall_s": round(time.perf_counter() - w0, 2),
             "loadavg": os.getloadavg()}  # fmt: skip
    print(json.dumps({"calibration (5M-iteration Python loop; about 0.25 s on an idle core)": calib}), flush=True)
    results = []
    for n in sizes:
        path, truth, gen_s = corpus(wd, n, args.seed, args.generator_version, args.profile)
        ws = wd / f"ws-{path.stem}"
        cmd = [TL, "scan", str(path), "--out", str(ws), "--fresh", "-q", "--workers", str(args.workers)]
        secs, peak, rc = run_measured(cmd)
        row = {"ads": n, "scan_seconds": round(secs, 1), "peak_rss_gb": round(peak / 2**30, 2), "exit": rc,
               "generate_seconds": round(gen_s, 1)}  # fmt: skip
        if rc == 0:
            scan = json.loads((ws / "scan.json").read_text())
            row["stages"] = scan["seconds"]
            q = evaluate(ws, truth)
            row["pairwise"] = {k: round(v, 4) for k, v in q["networks"]["pairwise"].items() if k in
                               ("precision", "recall", "f1")}  # fmt: skip
            row["bcubed"] = {k: round(v, 4) for k, v in q["networks"]["bcubed"].items()}
            row["hubs"] = scan["counts"]["hubs"]
            row["spread"] = spread(ws / "networks.csv", truth)
        if n <= args.baseline_max:
            bcsv = wd / f"baseline-{path.stem}"
            bcsv.mkdir(exist_ok=True)
            bsecs = baseline(path, bcsv / "networks.csv")
            (bcsv / "ads.parquet").unlink(missing_ok=True)
            os.symlink(ws / "ads.parquet", bcsv / "ads.parquet")
            bq = evaluate(bcsv, truth)
            row["baseline_seconds"] = round(bsecs, 1)
            row["baseline_pairwise"] = {k: round(v, 4) for k, v in bq["networks"]["pairwise"].items() if k in
                                        ("precision", "recall", "f1")}  # fmt: skip
            row["baseline_bcubed_f1"] = round(bq["networks"]["bcubed"]["f1"], 4)
            row["baseline_spread"] = spread(bcsv / "networks.csv", truth)
            row["speedup_vs_baseline"] = round(bsecs / secs, 2) if secs else None
        results.append(row)
        print(json.dumps(row), flush=True)
    name = "results.json" if args.generator_version == 1 else f"results-v{args.generator_version}-{args.profile}.json"
    (wd / name).write_text(json.dumps({"calibration": calib, "args": vars(args), "results": results}, indent=2))
    print("\n| ads | scan s | peak GB | pairwise P / R | B-cubed F1 | largest (groups) | max groups | baseline s |"
          " baseline P / R | baseline largest (groups) | speed-up |")  # fmt: skip
    print("|---:|---:|---:|---|---:|---|---:|---:|---|---|---:|")
    for r in results:
        pw = r.get("pairwise", {})
        bp = r.get("baseline_pairwise", {})
        sp = r.get("spread", {})
        bs = r.get("baseline_spread", {})
        print(f"| {r['ads']:,} | {r['scan_seconds']} | {r['peak_rss_gb']} | "
              f"{pw.get('precision', '-')} / {pw.get('recall', '-')} | {r.get('bcubed', {}).get('f1', '-')} | "
              f"{sp.get('largest', '-')} ({sp.get('largest_spans', '-')}) | {sp.get('max_spans', '-')} | "
              f"{r.get('baseline_seconds', '-')} | {bp.get('precision', '-')} / {bp.get('recall', '-')} | "
              f"{bs.get('largest', '-')} ({bs.get('largest_spans', '-')}) | "
              f"{r.get('speedup_vs_baseline', '-')} |")  # fmt: skip


if __name__ == "__main__":
    main()
