"""A per-user cache of tables derived from installed data (the gazetteer, the fold table).

Every scan worker needs the gazetteer (GeoNames cities folded into lookup tables) and the fold table; building
them takes most of a second of Python per process. They depend only on installed data and on this package's
code, so they are built once, stored as JSON (plain data: reading it never runs code) and loaded in a tenth of
a second afterwards.

A table is stored under a key: a hash of everything it is derived from (the data files' bytes, the source of
the modules that build it, the Unicode version, this Python's version). Different inputs give a different
key, so a stale file is never read; a missing, unreadable or foreign file (not ours, or writable by others) is
simply rebuilt, by one process at a time (the scan's workers start together and would each build the same
table: the others wait and read it). Nothing is ever downloaded. The directory is ``THREADLINE_CACHE_DIR``, else
``$XDG_CACHE_HOME/threadline``, else ``~/.cache/threadline``; where it cannot be written the tables are built
in memory as before.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import xxhash

FORMAT = 1
T = TypeVar("T")


def cache_dir() -> Path:
    explicit = os.environ.get("THREADLINE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "threadline"


def cache_key(parts: Iterable[bytes]) -> str:
    """Hash of the inputs of a table, with the cache format and the Python version."""
    h = xxhash.xxh3_128()
    h.update(f"{FORMAT}|{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()


def _read(path: Path, key: str):
    """The stored table, or None when the file is missing, not ours, writable by others, or not this key's."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return None
            stored = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or "data" not in stored:
        return None
    return stored["data"]


def _write(directory: Path, name: str, key: str, data) -> None:
    """Store atomically (a reader sees the old file or the whole new one); older keys of ``name`` go."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o600)
                fh.write(json.dumps({"key": key, "data": data}).encode())  # ASCII: lone surrogates too
            os.replace(tmp, directory / f"{name}-{key}.json")
        except BaseException:
            os.unlink(tmp)
            raise
        for old in directory.glob(f"{name}-*.json"):
            if old.name != f"{name}-{key}.json":
                old.unlink(missing_ok=True)
    except (OSError, ValueError, TypeError):
        pass  # a read-only or full disk: the next process builds the table again


LOCK_WAIT = 60.0  # seconds a process waits for another one's build before building the table itself


@contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache directory (ours only) while a table is built; without one (no
    ``fcntl``, a directory that cannot be made or is not ours, a lock held too long) go on unlocked."""
    fd = None
    try:
        import fcntl

        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        if os.fstat(fd).st_uid != os.getuid():
            raise PermissionError("not our directory")
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
    except (ImportError, OSError):
        if fd is not None:
            os.close(fd)
            fd = None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def load_or_build(name: str, key_parts: Iterable[bytes], build: Callable[[], T]) -> T:
    """The table ``name`` for these inputs: read from the cache, or built by ``build()`` and stored.

    ``build`` must return JSON data (str without lone surrogates, int, float, lists, dicts with str keys); a hit
    gives lists for tuples.
    """
    key = cache_key(key_parts)
    directory = cache_dir()
    path = directory / f"{name}-{key}.json"
    data = _read(path, key)
    if data is not None:
        return data
    with _build_lock(directory):
        data = _read(path, key)  # built by another process while this one waited
        if data is None:
            data = build()
            _write(directory, name, key, data)
    return data
