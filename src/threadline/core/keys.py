"""Key management services: status and rotation of the keys that encrypt identifying fields."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from threadline.core import crypto
from threadline.core.fields import encrypted_fields


def _columns():
    for model, fields in encrypted_fields():
        for field in fields:
            yield model, field


def keys_status() -> dict[str, Counter]:
    """How many stored values use each key version, per table.column (reads ciphertext headers only)."""
    result: dict[str, Counter] = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, field in _columns():
            table = model._meta.db_table
            cursor.execute(f"SELECT {qn(field.column)} FROM {qn(table)} WHERE {qn(field.column)} <> ''")  # noqa: S608
            counts: Counter = Counter()
            for (value,) in cursor.fetchall():
                if value:
                    counts[crypto.Keyring.version_of(value)] += 1
            result[f"{table}.{field.column}"] = counts
    return result


def keys_init() -> Path:
    """Create the key file with a first key, unless keys already exist."""
    path = Path(settings.ENCRYPTION_KEY_FILE)
    if path.exists():
        return path
    crypto.write_key_file(path, {1: crypto.new_key()})
    crypto.reset_keyring()
    return path


def keys_rotate(
    *, batch_size: int = 500, new_key: bool = True, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Add a key version (key file only) and re-encrypt every value under it, batch by batch.

    Reads keep working during the run because every older version stays in the keyring; each batch is
    its own transaction, so an interrupted rotation is simply run again.
    """
    keyring = crypto.get_keyring()
    if new_key:
        if keyring.source == "environment":
            raise crypto.KeyringError(
                "Keys come from THREADLINE_ENCRYPTION_KEYS: add the new version there, restart, then run "
                "'threadline keys rotate --no-new-key' to re-encrypt."
            )
        keys = dict(keyring.keys)
        keys[keyring.current_version + 1] = crypto.new_key()
        crypto.write_key_file(Path(keyring.source), keys)
        crypto.reset_keyring()
        keyring = crypto.get_keyring()

    target = keyring.current_version
    qn = connection.ops.quote_name
    rewritten: dict[str, int] = {}
    for model, field in _columns():
        table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
        aad = f"{table}.{column}".encode()
        label = f"{table}.{column}"
        rewritten[label] = 0
        last_pk = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {qn(pk)} > %s" if last_pk is not None else ""
                params = [last_pk] if last_pk is not None else []
                cursor.execute(
                    f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} {where} "  # noqa: S608
                    f"ORDER BY {qn(pk)} LIMIT %s",
                    [*params, batch_size],
                )
                rows = cursor.fetchall()
                for row_pk, value in rows:
                    if value and crypto.Keyring.version_of(value) != target:
                        fresh = keyring.encrypt(keyring.decrypt(value, aad), aad)
                        cursor.execute(
                            f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s",  # noqa: S608
                            [fresh, row_pk],
                        )
                        rewritten[label] += 1
            if not rows:
                break
            last_pk = rows[-1][0]
            if progress:
                progress(label, len(rows))
    return rewritten
