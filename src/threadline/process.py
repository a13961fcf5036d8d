"""Process hygiene shared by every entry point: private files, and children that die with their parent.

Pure Python (no Django), so the engines' pool workers use it too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from pathlib import Path

#: Files readable and writable by the owner only, directories listable by the owner only: the database, its
#: -wal/-shm, workspaces and uploads hold data about victims.
PRIVATE_UMASK = 0o077
_PR_SET_PDEATHSIG = 1


def private_umask() -> None:
    os.umask(PRIVATE_UMASK)


def tighten(path: Path) -> None:
    """Make an existing data directory 0700 and the SQLite files in it 0600 (they may predate the umask)."""
    if not path.is_dir():
        return
    _chmod(path, 0o700)
    for item in path.glob("*.sqlite3*"):
        _chmod(item, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change, or gone: the umask still covers what we create


def die_with_parent(sig: int = signal.SIGTERM, *, expected_parent: int | None = None) -> None:
    """Ask Linux to send ``sig`` to this process when its parent exits (even by ``kill -9``).

    Used as ``preexec_fn`` of the children of ``threadline serve`` and in the scan's pool workers. A child that
    starts slowly may find its parent already gone: given ``expected_parent``, it exits at once then. Elsewhere
    than Linux, :func:`watch_parent` covers the same case by polling.
    """
    if sys.platform.startswith("linux"):
        libc_name = ctypes.util.find_library("c")
        if libc_name:
            ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)


def watch_parent(parent: int, poll_seconds: float = 1.0) -> None:
    """Exit when ``parent`` is no longer this process's parent (it died), checked from a daemon thread."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
