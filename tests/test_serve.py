"""``threadline serve`` and its children as real processes: a busy port, SIGTERM, kill -9, a dead worker.

Each test starts real processes and waits a bounded time for them (issue #18 item 13, issue #19 items 14-15).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

DEADLINE = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "THREADLINE_DATABASE_URL"}
    env.update(THREADLINE_DATA_DIR=str(data_dir), THREADLINE_DEBUG="1", THREADLINE_TASK_POLL_SECONDS="0.2")
    env.pop("THREADLINE_ENCRYPTION_KEYS", None)
    return env


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_for(condition, what: str, seconds: float = DEADLINE):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _port_free(port: int) -> bool:
    from threadline.cli.serving import bind_problem

    return bind_problem("127.0.0.1", port) == ""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve-data")
    cmd = [sys.executable, "-m", "threadline", "migrate"]
    subprocess.run(cmd, env=_env(path), check=True, capture_output=True, timeout=120)
    return path


def _serve(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "threadline", "serve", "--port", str(port), "--workers", "1", *extra],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _workers_and_web(serve_pid: int) -> tuple[int, int] | None:
    kids = _children(serve_pid)
    worker = [p for p in kids if "threadline worker" in _cmdline(p)]
    web = [p for p in kids if "gunicorn" in _cmdline(p)]
    return (worker[0], web[0]) if worker and web else None


def test_a_busy_port_fails_loudly_before_anything_starts(tmp_path):
    port = _free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        result = subprocess.run(
            [sys.executable, "-m", "threadline", "serve", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Open http" not in result.stdout + result.stderr


@contextlib.contextmanager
def _serving(data_dir: Path):
    """serve started on a free port, once gunicorn listens: (serve, worker pid, gunicorn pid, port)."""
    port = _free_port()
    serve = _serve(data_dir, port)
    try:
        worker, web = _wait_for(lambda: _workers_and_web(serve.pid), "gunicorn and the worker")
        _wait_for(lambda: not _port_free(port), "gunicorn to listen")
        yield serve, worker, web, port
    finally:
        if serve.poll() is None:
            serve.terminate()
            serve.wait(timeout=DEADLINE)


def test_sigterm_stops_gunicorn_and_the_worker_and_a_dead_worker_is_restarted(data_dir):
    with _serving(data_dir) as (serve, worker, web, port):
        web_children = _wait_for(lambda: _children(web), "gunicorn's workers")
        os.kill(worker, signal.SIGKILL)  # the worker dies for good ...
        new_worker, _web = _wait_for(
            lambda: (pair := _workers_and_web(serve.pid)) and pair[0] != worker and pair, "the worker restarted"
        )  # ... and serve starts another
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=DEADLINE)
        for pid in [new_worker, web, *web_children]:
            _wait_for(lambda pid=pid: not _alive(pid), f"process {pid} to stop")
        assert _port_free(port)
        output = serve.stdout.read()
        assert f"Open http://127.0.0.1:{port}/" in output and "starting it again" in output


def test_kill_9_of_serve_takes_its_children_with_it(data_dir):
    with _serving(data_dir) as (serve, worker, web, port):
        serve.kill()
        serve.wait(timeout=DEADLINE)
        for pid in (worker, web):
            _wait_for(lambda pid=pid: not _alive(pid), f"process {pid} to stop")
        _wait_for(lambda: _port_free(port), "the port to be released")


@pytest.fixture
def fake_venv(tmp_path):
    """A venv for the Makefile whose ``threadline`` is this interpreter's, marked installed (nothing is
    installed or pip-run by the test)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    tl = venv / "bin" / "threadline"
    tl.write_text(f'#!/bin/sh\nexec {sys.executable} -m threadline "$@"\n')
    tl.chmod(0o755)
    (venv / ".installed").touch()
    return venv


def _make_run(fake_venv: Path, data_dir: Path, port: int) -> subprocess.Popen:
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(
        ["make", "--no-print-directory", "-C", str(root), "-o", f"{fake_venv}/.installed", "run", f"VENV={fake_venv}",
         f"PORT={port}"],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def _with_a_user(data_dir: Path) -> None:
    """So that ``demo --if-empty`` has nothing to do (loading the demo takes a minute)."""
    env = _env(data_dir)
    run = [sys.executable, "-m", "threadline"]
    subprocess.run([*run, "org", "create", "Make Test Agency"], env=env, check=True, capture_output=True, timeout=60)
    password = data_dir / "pw"
    password.write_text("a-long-enough-passphrase-42\n")
    user = ["user", "create", "--org", "Make Test Agency", "--role", "caseworker", "--email", "m@agency.example"]
    subprocess.run(
        [*run, *user, "--password-file", str(password)], env=env, check=True, capture_output=True, timeout=60
    )


def test_make_run_takes_the_port_fails_on_a_busy_one_and_stops_everything(data_dir, fake_venv):
    _with_a_user(data_dir)
    port = _free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        make = _make_run(fake_venv, data_dir, port)
        output, _ = make.communicate(timeout=120)
    assert make.returncode != 0 and "already in use" in output and "Open http" not in output
    make = _make_run(fake_venv, data_dir, port)
    try:
        serve = _wait_for(
            lambda: [p for p in _children(make.pid) if "threadline serve" in _cmdline(p)], "make to start serve", 120
        )[0]
        worker, web = _wait_for(lambda: _workers_and_web(serve), "gunicorn and the worker")
        _wait_for(lambda: not _port_free(port), "gunicorn to listen")
        make.send_signal(signal.SIGTERM)
        make.wait(timeout=DEADLINE)
        for pid in (serve, worker, web):
            _wait_for(lambda pid=pid: not _alive(pid), f"process {pid} to stop")
        _wait_for(lambda: _port_free(port), "the port to be released")
        assert f"Open http://127.0.0.1:{port}/" in make.stdout.read()
    finally:
        if make.poll() is None:
            make.terminate()  # make passes SIGTERM on to serve, which stops its children
            make.wait(timeout=DEADLINE)
