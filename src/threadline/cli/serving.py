"""``threadline serve``: gunicorn and the task worker as children that live and die with it.

The port is checked before anything starts (a busy port is an error, not a friendly "Open ..." line); the
address is printed only once gunicorn answers on it. A task worker that exits is started again (with a growing
pause). SIGTERM, SIGINT or SIGHUP stop both children, and each child is told by the kernel to stop if serve
itself is killed outright (``kill -9``), so nothing keeps the port or the queue.
"""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from threadline.process import die_with_parent

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 10.0
RESTART_PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)
#: A worker that ran this long before exiting starts again after the shortest pause.
STEADY_SECONDS = 60.0


def bind_problem(host: str, port: int) -> str:
    """Why gunicorn could not listen on host:port ('' when it can), checked the way gunicorn binds."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"cannot resolve the address {host!r} ({exc.strerror})"
    family, _type, _proto, _name, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use by another program"
            return f"cannot listen on {host}:{port} ({exc.strerror})"
    return ""


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Supervisor:
    web_args: list[str]
    worker_args: list[str] | None
    host: str
    port: int
    say: Callable[[str], None] = print
    pause: Callable[[float], None] = time.sleep
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    restarts: int = 0
    _stop_signal: int | None = None
    _worker_started: float = field(default=0.0)

    def _start(self, args: list[str]) -> subprocess.Popen:
        # The child gets SIGTERM from the kernel if serve dies without cleaning up (kill -9, OOM killer).
        return subprocess.Popen(args, preexec_fn=die_with_parent)  # safe: serve runs no threads

    def _on_signal(self, signum, _frame) -> None:
        self._stop_signal = signum

    def _start_worker(self) -> None:
        self.worker = self._start(self.worker_args)
        self._worker_started = time.monotonic()

    def _restart_worker_if_dead(self) -> None:
        if self.worker is None or self.worker.poll() is None:
            return
        if time.monotonic() - self._worker_started > STEADY_SECONDS:
            self.restarts = 0  # it had been running fine: not a crash loop
        pause = RESTART_PAUSES[min(self.restarts, len(RESTART_PAUSES) - 1)]
        self.restarts += 1
        self.say(f"The task worker stopped (exit code {self.worker.returncode}); starting it again in {pause:g} s.")
        self._wait(pause)
        if self._stop_signal is None:
            self._start_worker()

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self._stop_signal is None and time.monotonic() < deadline:
            self.pause(0.1)

    def run(self) -> int:
        """Run until gunicorn stops or a stop signal arrives; returns the exit code for serve."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            return self._run()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run(self) -> int:
        self.web = self._start(self.web_args)
        if self.worker_args is not None:
            self._start_worker()
        while not _answers(self.host, self.port):
            if self.web.poll() is not None:
                self.say(f"The web server did not start (exit code {self.web.returncode}); see its messages above.")
                return self.web.returncode or 1
            if self._stop_signal is not None:
                return 0
            self.pause(0.1)
        self.say(f"Open http://{self.host}:{self.port}/")
        while self._stop_signal is None:
            if self.web.poll() is not None:
                self.say(f"The web server stopped (exit code {self.web.returncode}).")
                return self.web.returncode or 1
            self._restart_worker_if_dead()
            self.pause(0.2)
        return 0

    def stop(self) -> None:
        """SIGTERM to every child still running, then SIGKILL after the grace period."""
        children = [c for c in (self.web, self.worker) if c is not None and c.poll() is None]
        for child in children:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
