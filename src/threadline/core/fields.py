"""Model fields that encrypt identifying data at rest (see ``threadline.core.crypto``)."""

from __future__ import annotations

from django.db import models

from threadline.core.crypto import get_keyring


class EncryptedTextField(models.TextField):
    """Text encrypted with AES-GCM; cannot be filtered or ordered on, by design.

    Keep identifying fields few; search uses pseudonymous codes or keyed hashes, never these values.
    """

    description = "Encrypted text"

    def _associated_data(self) -> bytes:
        return f"{self.model._meta.db_table}.{self.column}".encode()

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return get_keyring().encrypt(str(value), self._associated_data())

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return get_keyring().decrypt(value, self._associated_data())

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            return None  # encrypted values cannot be compared; only "is null" makes sense
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete model that has encrypted fields, with those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found
