"""Production settings refuse silent defaults and pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_") and k != "PYTEST_CURRENT_TEST"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "threadline", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _run({"THREADLINE_DATA_DIR": str(tmp_path), "THREADLINE_ALLOWED_HOSTS": "example.org"}, "migrate")
    assert result.returncode == 2 and "THREADLINE_SECRET_KEY" in result.stderr + result.stdout


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _run({"THREADLINE_DATA_DIR": str(tmp_path), "THREADLINE_SECRET_KEY": "k" * 60}, "migrate")
    assert result.returncode == 2 and "THREADLINE_ALLOWED_HOSTS" in result.stderr + result.stdout


def test_production_settings_pass_check_deploy(tmp_path):
    import base64
    import secrets

    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    env = {
        "THREADLINE_DATA_DIR": str(tmp_path),
        "THREADLINE_SECRET_KEY": secrets.token_urlsafe(64),
        "THREADLINE_ALLOWED_HOSTS": "threadline.example.org",
        "THREADLINE_ENCRYPTION_KEYS": f"1:{key}",
        "THREADLINE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = _run(env, "manage", "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    # SQLite in production earns our own warning; everything else must be clean
    assert "threadline.W001" in output
    assert "security." not in output, output
