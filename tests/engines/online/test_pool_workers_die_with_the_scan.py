"""A scan killed outright (``kill -9``) must not leave its pool workers running and writing (issue #18 item 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from tests.test_serve import _alive, _children, _cmdline, _wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_pool_workers_stop_when_the_scan_is_killed(tmp_path):
    ads = tmp_path / "ads.jsonl"
    subprocess.run(
        [sys.executable, "-m", "threadline", "synth", "ads", "-o", str(ads), "--n", "6000"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    scan = subprocess.Popen(
        [sys.executable, "-m", "threadline", "scan", str(ads), "-o", str(tmp_path / "ws"), "--workers", "2",
         "--batch-size", "50", "--quiet", "--no-report"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        pool = _wait_for(lambda: (kids := _children(scan.pid)) and len(kids) >= 2 and kids, "the pool workers", 60)
        time.sleep(0.5)
        assert scan.poll() is None, "the scan finished before it could be killed: give it more ads"
        os.kill(scan.pid, signal.SIGKILL)
        scan.wait(timeout=10)
        for pid in pool:
            _wait_for(lambda pid=pid: not _alive(pid), f"pool worker {pid} ({_cmdline(pid)[:80]}) to stop", 15)
    finally:
        if scan.poll() is None:
            scan.kill()
