"""The platform CLI, in-process against the test database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from threadline.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_help_lists_the_platform_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ["serve", "migrate", "demo", "worker", "audit", "org", "user", "token", "keys"]:
        assert command in result.output


def test_org_user_and_token_creation_without_prompts(tmp_path):
    from threadline.accounts.services import token_authenticate

    assert runner.invoke(app, ["org", "create", "Coastal Agency", "--country", "PT"]).exit_code == 0
    password = tmp_path / "pw"
    password.write_text("a-long-enough-passphrase\n")
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "--org",
            "Coastal Agency",
            "--role",
            "administrator",
            "--email",
            "lead@coastal.example",
            "--password-file",
            str(password),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["token", "create", "--user", "lead@coastal.example", "--org", "coastal-agency"])
    assert result.exit_code == 0
    key = result.output.strip()
    assert token_authenticate(key).organisation.name == "Coastal Agency"


def test_cli_errors_are_clear_and_exit_2(tmp_path):
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "--org",
            "Nowhere",
            "--role",
            "caseworker",
            "--email",
            "x@y.example",
            "--password-file",
            str(tmp_path / "missing"),
        ],
    )
    assert result.exit_code == 2 and "Cannot read the password file" in result.output
    runner.invoke(app, ["org", "create", "Dup Agency"])
    result = runner.invoke(app, ["org", "create", "Dup Agency"])
    assert result.exit_code == 2 and "already exists" in result.output


def test_weak_password_from_the_cli_is_refused(tmp_path):
    runner.invoke(app, ["org", "create", "Weak Agency"])
    password = tmp_path / "pw"
    password.write_text("123")
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "--org",
            "Weak Agency",
            "--role",
            "caseworker",
            "--email",
            "w@weak.example",
            "--password-file",
            str(password),
        ],
    )
    assert result.exit_code == 2 and "password" in result.output


def test_audit_verify_reports_intact_chain(org):
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output


def test_audit_checkpoint_then_verify_against_it(org, tmp_path):
    from django.db import connection

    from threadline.audit.models import AuditEntry
    from threadline.audit.services import audit_record

    for n in range(3):
        audit_record(action="view", object_type="cases.case", object_id=str(n))
    path = tmp_path / "checkpoint.json"
    result = runner.invoke(app, ["audit", "checkpoint", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    assert '"signature"' in runner.invoke(app, ["audit", "checkpoint"]).output
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 0 and "consistent with the checkpoint" in result.output
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_change")
        cursor.execute("DELETE FROM audit_auditentry")
    from threadline.audit.models import ChainHead

    ChainHead.objects.all().delete()
    assert not AuditEntry.objects.exists()
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 1 and "truncated or deleted" in result.output
    path.write_text("{}")
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 2 and "not an audit checkpoint" in result.output


def test_keys_rotate_and_status(org, make_user):
    from threadline.accounts.services import mfa_device_start

    mfa_device_start(user=make_user(org))
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0 and "key version 2" in result.output
    result = runner.invoke(app, ["keys", "status"])
    assert "v2: 1" in result.output


def test_demo_loads_every_role_and_prints_how_to_sign_in(settings):
    from threadline.accounts.models import Membership
    from threadline.core.roles import ROLES

    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "threadline-demo-password" in result.output
    assert set(Membership.objects.values_list("role", flat=True)) == set(ROLES)
    again = runner.invoke(app, ["demo", "--if-empty"])
    assert "already present" in again.output


@pytest.mark.parametrize("days", ["0", "400"])
def test_token_create_refuses_an_expiry_out_of_range(org, make_user, days):
    user = make_user(org, "caseworker")
    result = runner.invoke(app, ["token", "create", "--user", user.email, "--org", org.slug, "--days", days])
    assert result.exit_code == 2, result.output
    assert "365" in result.output
    assert not user.api_tokens.exists()
