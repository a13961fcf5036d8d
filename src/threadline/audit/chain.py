"""The keys and signatures of the audit chain.

An unkeyed hash chain only proves that the rows agree with each other: anyone with write access to the
database can rewrite an entry and recompute every hash after it. Entries are therefore signed with
HMAC-SHA256 under an audit key that never lives in the database: it is derived (HKDF) from the versioned keys
that encrypt identifying fields (``core/crypto.py``: ``THREADLINE_ENCRYPTION_KEYS`` or the key file). Every
entry names the key version that signed it, so after ``threadline keys rotate`` old entries still verify as
long as the old key version stays in the keyring (it must anyway, until rotation has re-encrypted every value).

Entries written before the chain was keyed have no key version and keep their plain SHA-256 hash; the first
keyed entry signs the last of them (its ``prev_hash``), so rewriting them breaks that link.

A checkpoint is the signed head (count, last id, last hash) exported to a file kept elsewhere; verifying
against it finds a log that was truncated, or deleted with its head.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from threadline.core import crypto

CHECKPOINT_FORMAT = "threadline-audit-checkpoint/1"


@lru_cache(maxsize=32)
def _derive(field_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"threadline audit " + purpose).derive(field_key)


def _key(version: int, purpose: bytes) -> bytes:
    keys = crypto.get_keyring().keys
    if version not in keys:
        raise crypto.KeyringError(f"Key version {version}, which signed part of the audit log, is not available.")
    return _derive(keys[version], purpose)


def current_version() -> int:
    return crypto.get_keyring().current_version


def sign(version: int | None, message: bytes, *, purpose: bytes = b"chain") -> str:
    """HMAC-SHA256 of ``message`` under audit key ``version``; ``None`` is the legacy unkeyed SHA-256."""
    if version is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(_key(version, purpose), message, hashlib.sha256).hexdigest()


def matches(version: int | None, message: bytes, signature: str, *, purpose: bytes = b"chain") -> bool:
    return hmac.compare_digest(sign(version, message, purpose=purpose), signature)


def head_message(count: int, last_id: int | None, last_hash: str) -> bytes:
    return f"head|{count}|{last_id or 0}|{last_hash}".encode()


@dataclass(frozen=True)
class Checkpoint:
    count: int
    last_id: int
    last_hash: str
    created_at: str
    key_version: int
    signature: str = ""

    def _message(self) -> bytes:
        data = {
            "format": CHECKPOINT_FORMAT,
            "count": self.count,
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "created_at": self.created_at,
            "key_version": self.key_version,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    def signed(self) -> Checkpoint:
        return Checkpoint(**{**self.__dict__, "signature": sign(self.key_version, self._message(), purpose=b"cp")})

    def signature_ok(self) -> bool:
        return matches(self.key_version, self._message(), self.signature, purpose=b"cp")

    def to_json(self) -> str:
        return json.dumps({"format": CHECKPOINT_FORMAT, **self.__dict__}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse a checkpoint file; ``ValueError`` names what is wrong (the file holds no identifying data)."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not JSON (line {exc.lineno})") from None
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"not a {CHECKPOINT_FORMAT} file")
        try:
            return cls(
                count=int(data["count"]),
                last_id=int(data["last_id"]),
                last_hash=str(data["last_hash"]),
                created_at=str(data["created_at"]),
                key_version=int(data["key_version"]),
                signature=str(data["signature"]),
            )
        except KeyError as exc:
            raise ValueError(f"the field {exc.args[0]!r} is missing") from None
        except (TypeError, ValueError):
            raise ValueError("count, last_id and key_version must be whole numbers") from None
