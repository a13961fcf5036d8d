"""Production settings refuse silent defaults and pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it
    harness = {"PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_") and k not in harness}
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


# The only findings `check --deploy` may report, each explained in docs/deployment.md ("Deployment check").
DOCUMENTED_DEPLOY_FINDINGS = {"sqlite": {"threadline.W001"}, "postgresql": set()}


def _deploy_check(tmp_path, database_url: str) -> tuple[set[str], str]:
    import base64
    import re
    import secrets

    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    env = {
        "THREADLINE_DATA_DIR": str(tmp_path),
        "THREADLINE_SECRET_KEY": secrets.token_urlsafe(64),
        "THREADLINE_ALLOWED_HOSTS": "threadline.example.org",
        "THREADLINE_ENCRYPTION_KEYS": f"1:{key}",
        "THREADLINE_DATABASE_URL": database_url,
    }
    result = _run(env, "manage", "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return set(re.findall(r"^\S*: \(([\w.]+)\)", output, flags=re.MULTILINE)), output


def test_production_settings_pass_check_deploy_on_sqlite(tmp_path):
    found, output = _deploy_check(tmp_path, f"sqlite:///{tmp_path}/db.sqlite3")
    assert found == DOCUMENTED_DEPLOY_FINDINGS["sqlite"], output


def test_production_settings_pass_check_deploy_on_postgresql(tmp_path):
    # The check never connects; the URL only selects the engine, so this runs without a server too.
    found, output = _deploy_check(tmp_path, "postgresql://threadline@127.0.0.1:5432/threadline")
    assert found == DOCUMENTED_DEPLOY_FINDINGS["postgresql"], output


def test_every_accepted_deploy_finding_is_documented():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "deployment.md").read_text()
    for finding in set().union(*DOCUMENTED_DEPLOY_FINDINGS.values()):
        assert f"`{finding}`" in text, finding
