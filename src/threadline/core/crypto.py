"""Encryption of identifying fields at rest: AES-256-GCM with versioned keys.

Keys never live in the database. They come from ``THREADLINE_ENCRYPTION_KEYS`` (``"1:<b64>,2:<b64>"``, the
highest version encrypts) or from a JSON key file outside the database (``THREADLINE_KEY_FILE``, by default
``$THREADLINE_DATA_DIR/keys.json``). Every stored value names its key version, so a rotation can re-encrypt
row by row while the application keeps reading both versions: no downtime.

Stored form: ``tl1:<version>:<base64url(nonce || ciphertext+tag)>``; the associated data binds a value to
its table and column, so a ciphertext copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "tl1"
KEY_BYTES = 32
NONCE_BYTES = 12


class KeyringError(Exception):
    """The keys are missing, malformed or cannot decrypt a value (never includes the value)."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]
    source: str

    @property
    def current_version(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: str, associated_data: bytes) -> str:
        version = self.current_version
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[version]).encrypt(nonce, plaintext.encode("utf-8"), associated_data)
        token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}:{version}:{token}"

    def decrypt(self, stored: str, associated_data: bytes) -> str:
        try:
            prefix, version_text, token = stored.split(":", 2)
            version = int(version_text)
        except ValueError as exc:
            raise KeyringError("An encrypted value is malformed.") from exc
        if prefix != PREFIX:
            raise KeyringError("An encrypted value has an unknown format.")
        key = self.keys.get(version)
        if key is None:
            raise KeyringError(f"Encryption key version {version} is not available.")
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        try:
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data).decode("utf-8")
        except InvalidTag as exc:
            raise KeyringError(f"An encrypted value does not decrypt with key version {version}.") from exc

    @staticmethod
    def version_of(stored: str) -> int | None:
        parts = stored.split(":", 2)
        if len(parts) == 3 and parts[0] == PREFIX and parts[1].isdigit():
            return int(parts[1])
        return None


def _decode_key(version: int, text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except ValueError as exc:
        raise KeyringError(f"Encryption key version {version} is not valid base64.") from exc
    if len(key) != KEY_BYTES:
        raise KeyringError(f"Encryption key version {version} must be {KEY_BYTES} bytes.")
    return key


def parse_env_keys(value: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        version_text, _, key_text = item.partition(":")
        if not version_text.strip().isdigit() or not key_text:
            raise KeyringError("THREADLINE_ENCRYPTION_KEYS must look like '1:<base64>,2:<base64>'.")
        keys[int(version_text)] = _decode_key(int(version_text), key_text)
    if not keys:
        raise KeyringError("THREADLINE_ENCRYPTION_KEYS is empty.")
    return keys


def read_key_file(path: Path) -> dict[int, bytes]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {int(v): _decode_key(int(v), k) for v, k in data["keys"].items()}
    except FileNotFoundError as exc:
        raise KeyringError(
            f"No encryption keys: set THREADLINE_ENCRYPTION_KEYS or create {path} with 'threadline keys init'."
        ) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyringError(f"The key file {path} is malformed.") from exc


def write_key_file(path: Path, keys: dict[int, bytes]) -> None:
    """Write atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"keys": {str(v): base64.urlsafe_b64encode(k).decode("ascii") for v, k in sorted(keys.items())}}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


_lock = threading.Lock()
_cached: Keyring | None = None


def load_keyring(env_value: str | None, key_file: Path) -> Keyring:
    if env_value:
        return Keyring(parse_env_keys(env_value), source="environment")
    return Keyring(read_key_file(key_file), source=str(key_file))


def get_keyring() -> Keyring:
    """The process-wide keyring, loaded once (call ``reset_keyring`` after a rotation)."""
    global _cached
    with _lock:
        if _cached is None:
            from django.conf import settings

            _cached = load_keyring(os.environ.get("THREADLINE_ENCRYPTION_KEYS"), Path(settings.ENCRYPTION_KEY_FILE))
        return _cached


def reset_keyring() -> None:
    global _cached
    with _lock:
        _cached = None
