from __future__ import annotations

import base64

import pytest
from django.db import connection

from threadline.core import crypto
from threadline.core.keys import keys_rotate, keys_status

pytestmark = pytest.mark.django_db


def test_round_trip_and_associated_data_binding():
    ring = crypto.Keyring({1: crypto.new_key()}, source="test")
    stored = ring.encrypt("Synthetic Name", b"cases_person.name")
    assert ring.decrypt(stored, b"cases_person.name") == "Synthetic Name"
    with pytest.raises(crypto.KeyringError):
        ring.decrypt(stored, b"cases_person.other_column")


def test_unknown_key_version_is_a_clear_error():
    ring = crypto.Keyring({1: crypto.new_key()}, source="test")
    stored = ring.encrypt("x", b"t.c").replace("tl1:1:", "tl1:7:")
    with pytest.raises(crypto.KeyringError, match="version 7"):
        ring.decrypt(stored, b"t.c")


@pytest.mark.parametrize("value", ["", "1", "x:abc", "1:" + base64.urlsafe_b64encode(b"short").decode()])
def test_malformed_environment_keys_are_refused(value):
    with pytest.raises(crypto.KeyringError):
        crypto.parse_env_keys(value)


def test_environment_keys_take_precedence(tmp_path, monkeypatch):
    key = base64.urlsafe_b64encode(crypto.new_key()).decode()
    ring = crypto.load_keyring(f"1:{key},3:{key}", tmp_path / "missing.json")
    assert ring.current_version == 3 and ring.source == "environment"


def test_key_file_is_private(tmp_path):
    path = tmp_path / "keys.json"
    crypto.write_key_file(path, {1: crypto.new_key()})
    assert path.stat().st_mode & 0o777 == 0o600


def _raw_secrets():
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_mfadevice ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_rotation_re_encrypts_every_value_and_old_values_stay_readable(org, make_user):
    from threadline.accounts.models import MFADevice
    from threadline.accounts.services import mfa_device_start

    devices = [mfa_device_start(user=make_user(org)) for _ in range(7)]
    plain = {d.pk: d.secret for d in devices}
    assert {crypto.Keyring.version_of(v) for v in _raw_secrets()} == {1}

    counts = keys_rotate(batch_size=3)
    assert counts["accounts_mfadevice.secret"] == 7
    assert {crypto.Keyring.version_of(v) for v in _raw_secrets()} == {2}
    assert {d.pk: d.secret for d in MFADevice.objects.all()} == plain
    assert keys_status()["accounts_mfadevice.secret"] == {2: 7}
    # running it again with no new key has nothing left to do
    assert keys_rotate(new_key=False)["accounts_mfadevice.secret"] == 0


def test_encrypted_fields_cannot_be_filtered_on(org, make_user):
    from django.core.exceptions import FieldError

    from threadline.accounts.models import MFADevice

    with pytest.raises(FieldError):
        list(MFADevice.objects.filter(secret="anything"))
