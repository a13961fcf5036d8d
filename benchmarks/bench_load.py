"""Load test: 20 concurrent signed-in clients on the case list page and the API, 60 s, production settings.

Builds a fresh database with the cases benchmark's synthetic load (one organisation with ``--cases`` cases, a
second with a fifth as many), starts the web app exactly as ``threadline serve --no-task-worker`` runs it
(gunicorn, 2 processes x 4 threads, DEBUG off, manifest static files) on 127.0.0.1 only, then runs ``--clients``
client threads for ``--seconds``. Each client is its own caseworker with its own session (second factor done)
and its own API token, and alternates ``GET /cases/`` (the page) with ``GET /api/v1/cases/`` (the API) on one
keep-alive connection. Requests carry ``X-Forwarded-Proto: https`` as behind the TLS proxy of a deployment.

    .venv/bin/python benchmarks/bench_load.py                     # SQLite in a temporary directory
    .venv/bin/python benchmarks/bench_load.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With ``--database-url`` a scratch database ``threadline_bench_load`` is created on that server and dropped
afterwards. API throttling is per user, and every client is a distinct user with a distinct token; a 429 is
counted and reported, never retried. ``--server-env NAME=VALUE`` passes a setting to the server only (for
example a higher API rate). Everything is bounded: the run stops after ``--seconds``, each request times out
after 30 s, and the server is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_cases import _client, _load, _p95, drop_scratch_database, use_scratch_database

BENCH_DB = "threadline_bench_load"
REQUEST_TIMEOUT = 30.0
PASSWORD = "bench-password-123456"
KINDS = {"page": "/cases/", "api": "/api/v1/cases/"}


def _configure(args) -> str | None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.environ.update(
        THREADLINE_SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        THREADLINE_ALLOWED_HOSTS="127.0.0.1",
        THREADLINE_DATA_DIR=str(data_dir),
        THREADLINE_KEY_FILE=str(data_dir / "keys.json"),
        DJANGO_SETTINGS_MODULE="threadline.settings",
    )
    for name in ("THREADLINE_DEBUG", "THREADLINE_TESTING", "THREADLINE_ENCRYPTION_KEYS"):
        os.environ.pop(name, None)
    admin_url = args.database_url or None
    use_scratch_database(admin_url, BENCH_DB)
    import django

    django.setup()
    return admin_url


@dataclass
class Credentials:
    session: str
    token: str


def _credentials(org, first_user, n: int) -> list[Credentials]:
    """One caseworker per client: a session with the second factor done, and an API token."""
    from django.conf import settings

    from threadline.accounts.services import token_create, user_create

    users = [first_user] + [
        user_create(email=f"load{i}@agency.example", password=PASSWORD, organisation=org, role="caseworker")
        for i in range(1, n)
    ]
    out = []
    for user in users:
        client = _client(user, org)
        _token, key = token_create(user=user, organisation=org, name="load test")
        out.append(Credentials(session=client.cookies[settings.SESSION_COOKIE_NAME].value, token=key))
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int, extra_env: dict[str, str], log: Path) -> subprocess.Popen:
    env = {**os.environ, **extra_env}
    command = [sys.executable, "-m", "threadline", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*command, "--no-task-worker"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    _stop_server(server)
    raise RuntimeError("the server did not start within 120 s")


def _stop_server(server: subprocess.Popen) -> None:
    """Stop ``threadline serve`` and its gunicorn (their own process group, started above)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of a process group: the web server's."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    statuses: dict[tuple[str, int], int] = field(default_factory=dict)
    failures: int = 0


def _client_loop(port: int, creds: Credentials, stop_at: float, warm: bool, tally: Tally, lock) -> None:
    headers = {
        "page": {"Cookie": f"sessionid={creds.session}", "X-Forwarded-Proto": "https"},
        "api": {"Authorization": f"Token {creds.token}", "X-Forwarded-Proto": "https"},
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    mine = Tally()
    kinds = list(KINDS)
    i = 0
    while time.monotonic() < stop_at:
        kind = kinds[i % 2]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("GET", KINDS[kind], headers=headers[kind])
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            mine.failures += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            continue
        elapsed = (time.perf_counter() - started) * 1000
        mine.statuses[(kind, response.status)] = mine.statuses.get((kind, response.status), 0) + 1
        if response.status == 200:
            mine.times[kind].append(elapsed)
        if warm and i >= 2:
            break
    conn.close()
    with lock:
        for kind in KINDS:
            tally.times[kind].extend(mine.times[kind])
        for key, count in mine.statuses.items():
            tally.statuses[key] = tally.statuses.get(key, 0) + count
        tally.failures += mine.failures


def _run(port: int, creds: list[Credentials], seconds: float, warm: bool = False) -> tuple[Tally, float]:
    tally, lock = Tally(), threading.Lock()
    started = time.monotonic()
    threads = [
        threading.Thread(target=_client_loop, args=(port, c, started + seconds, warm, tally, lock), daemon=True)
        for c in creds
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    return tally, time.monotonic() - started


def _report(tally: Tally, elapsed: float) -> bool:
    print(f"{'':6s} {'requests':>9s} {'req/s':>7s} {'median ms':>10s} {'p95 ms':>8s} {'max ms':>8s}")
    clean = True
    for kind in KINDS:
        times = sorted(tally.times[kind])
        if not times:
            print(f"{kind:6s} no successful request")
            clean = False
            continue
        rate, median = len(times) / elapsed, times[len(times) // 2]
        print(f"{kind:6s} {len(times):9d} {rate:7.1f} {median:10.1f} {_p95(times):8.1f} {times[-1]:8.1f}")
    both = sorted(tally.times["page"] + tally.times["api"])
    if both:
        print(f"{'all':6s} {len(both):9d} {len(both) / elapsed:7.1f} {both[len(both) // 2]:10.1f} {_p95(both):8.1f}")
    others = {key: count for key, count in tally.statuses.items() if key[1] != 200}
    if others or tally.failures:
        clean = False
        print(f"not 200: {others}; connection failures or timeouts: {tally.failures}")
    return clean


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000, help="cases in the measured organisation")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (a scratch database is created)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.server_env)
    admin_url = _configure(args)
    from django.db import connection, connections

    server = None
    try:
        t = time.perf_counter()
        org, user, _codes = _load(args.cases, args.seed)
        creds = _credentials(org, user, args.clients)
        print(f"load test on {connection.vendor}: {args.cases} + {args.cases // 5} cases, {args.clients} clients "
              f"(own user, session and token each), loaded in {time.perf_counter() - t:.0f} s")  # fmt: skip
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        connections.close_all()
        port = _free_port()
        server = _start_server(port, extra_env, Path(os.environ["THREADLINE_DATA_DIR"]) / "server.log")
        _run(port, creds, 30.0, warm=True)  # one page and one API request per client
        before, server_cpu, own_cpu = os.getloadavg(), _group_cpu_seconds(server.pid), time.process_time()
        tally, elapsed = _run(port, creds, args.seconds)
        server_cpu = _group_cpu_seconds(server.pid) - server_cpu
        own_cpu = time.process_time() - own_cpu
        after = os.getloadavg()
        print(f"{elapsed:.1f} s, gunicorn 2 processes x 4 threads (threadline serve) on 127.0.0.1:{port}")
        clean = _report(tally, elapsed)
        served = sum(len(times) for times in tally.times.values())
        print(f"web server CPU {server_cpu:.1f} s = {server_cpu * 1000 / max(served, 1):.1f} ms per request "
              f"(database server not included); load generator CPU {own_cpu:.1f} s")  # fmt: skip
        print("load average before {:.1f} {:.1f} {:.1f}, after {:.1f} {:.1f} {:.1f}".format(*before, *after))
        return 0 if clean else 1
    finally:
        if server is not None:
            _stop_server(server)
        connections.close_all()
        shutil.rmtree(os.environ["THREADLINE_DATA_DIR"], ignore_errors=True)
        drop_scratch_database(admin_url, BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
