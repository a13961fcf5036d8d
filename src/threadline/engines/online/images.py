"""The identity of an ad's image: a hash or a URL as given, or the content hash of a local file under a root.

An ad's ``images`` field comes from scraped data, so a path in it is never trusted: without a configured image
root no file is opened at all, and with one only regular files inside it (after resolving symlinks), opened
without following a final symlink and without blocking, and no larger than the cap are read. Anything else
contributes no image identity; the rest of the ad is analysed as usual.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

import xxhash

DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: ``xxh64:<hex>``, ``sha256:<hex>``, ``phash:<hex>``... or a bare hexadecimal digest of 64 bits or more.
_HASH = re.compile(r"(?:[a-z][a-z0-9_-]{1,15}:)?[0-9a-f]{16,128}", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s/]+\S*", re.IGNORECASE)
_READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImagePolicy:
    """Where local image files may be read from (``root``; ``None``: nowhere) and how large they may be."""

    root: str | None = None
    max_bytes: int = DEFAULT_MAX_IMAGE_BYTES


def image_identity(value: str, policy: ImagePolicy) -> str | None:
    """A hash (lower-cased) or an http(s) URL is the identity itself; a local path is hashed by content only when
    the policy allows it; anything else is ``None``."""
    v = value.strip()
    if not v:
        return None
    if _HASH.fullmatch(v):
        return v.lower()
    if _URL.fullmatch(v):
        return v
    if policy.root is None or "://" in v:
        return None
    return _file_hash(v, policy)


def _file_hash(value: str, policy: ImagePolicy) -> str | None:
    root = os.path.realpath(policy.root)
    target = os.path.realpath(os.path.join(root, value))  # an absolute value replaces the root, then is checked
    if os.path.commonpath([root, target]) != root or target == root:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > policy.max_bytes:
            return None
        h = xxhash.xxh64()
        read = 0
        while chunk := os.read(fd, _READ_CHUNK):
            read += len(chunk)
            if read > policy.max_bytes:  # the file grew after the check
                return None
            h.update(chunk)
        return "xxh64:" + h.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)
