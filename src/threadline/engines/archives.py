"""Limits on compressed inputs (ZIP, and .xlsx which is a ZIP; gzip): refuse a decompression bomb before
unpacking it, and read members as a bounded stream.

A 1.5 MB ZIP can unpack to gigabytes. ``check_zip`` looks at the central directory first (how many members,
how large each says it is, the compression ratio); ``zipfile`` itself stops reading a member at its declared
size and fails its CRC if the data goes on, so the declared sizes hold while reading. gzip has no trustworthy
size header, so ``gunzip_bounded`` counts while it decompresses.

Limits come from the environment (``THREADLINE_ARCHIVE_MAX_MB``, ``THREADLINE_ARCHIVE_MAX_RATIO``,
``THREADLINE_ARCHIVE_MAX_MEMBERS``) so the CLI and the web application apply the same ones.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

MB = 1024 * 1024
#: Members smaller than this are not held to the ratio (tiny files compress extremely well and are harmless).
RATIO_FLOOR_BYTES = 1 * MB
_CHUNK = 1 << 20


class ArchiveRefused(ValueError):
    """A compressed input refused before (or while) unpacking it; the message names the limit, never content."""


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class ArchiveLimits:
    max_total_bytes: int = 1024 * MB
    max_ratio: int = 200
    max_members: int = 10_000

    @classmethod
    def from_env(cls) -> ArchiveLimits:
        return cls(
            max_total_bytes=_env_int("THREADLINE_ARCHIVE_MAX_MB", 1024) * MB,
            max_ratio=_env_int("THREADLINE_ARCHIVE_MAX_RATIO", 200),
            max_members=_env_int("THREADLINE_ARCHIVE_MAX_MEMBERS", 10_000),
        )


def check_zip(zf: zipfile.ZipFile, limits: ArchiveLimits | None = None) -> None:
    """Raise :class:`ArchiveRefused` when the archive has too many members, unpacks to too much, or a member
    is compressed beyond the ratio limit."""
    lim = limits or ArchiveLimits.from_env()
    infos = zf.infolist()
    if len(infos) > lim.max_members:
        raise ArchiveRefused(f"the archive has {len(infos):,} files (at most {lim.max_members:,} are accepted)")
    total = 0
    for info in infos:
        total += info.file_size
        if total > lim.max_total_bytes:
            raise ArchiveRefused(
                f"the archive unpacks to more than {lim.max_total_bytes // MB:,} MB (the limit for compressed inputs)"
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > lim.max_ratio * max(info.compress_size, 1):
            raise ArchiveRefused(
                f"a file in the archive is compressed more than {lim.max_ratio}:1, as in a decompression bomb"
            )


def open_zip(source, limits: ArchiveLimits | None = None) -> zipfile.ZipFile:
    """``zipfile.ZipFile(source)`` checked with :func:`check_zip` (closed again when refused)."""
    zf = zipfile.ZipFile(source)
    try:
        check_zip(zf, limits)
    except ArchiveRefused:
        zf.close()
        raise
    return zf


def iter_member(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member's bytes in chunks (never the whole member in memory)."""
    with zf.open(name) as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def gunzip_bounded(path: str | os.PathLike[str], limits: ArchiveLimits | None = None) -> bytes:
    """The decompressed bytes of a gzip file, refused beyond the size or ratio limit."""
    lim = limits or ArchiveLimits.from_env()
    cap = min(lim.max_total_bytes, max(RATIO_FLOOR_BYTES, lim.max_ratio * max(os.path.getsize(path), 1)))
    out = bytearray()
    with gzip.open(path, "rb") as source:
        try:
            while chunk := source.read(_CHUNK):
                out += chunk
                if len(out) > cap:
                    raise ArchiveRefused(
                        f"the gzip file unpacks to more than {cap // MB:,} MB (size or {lim.max_ratio}:1 ratio limit)"
                    )
        except (OSError, EOFError, zlib.error) as exc:
            raise ArchiveRefused(f"the gzip file is damaged ({type(exc).__name__})") from None
    return bytes(out)
