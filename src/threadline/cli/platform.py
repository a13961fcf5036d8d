"""Platform commands: serve, migrate, demo, worker, audit, keys, and non-interactive administration.

Django is set up lazily inside each command so that engine commands never pay for it. Every command is a
module-level function: the groups' commands are registered on their sub-app by decorator, the top-level
commands on the ``threadline`` app by ``register``.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "threadline.settings")
    import django
    from django.conf import settings

    try:
        django.setup()
    except Exception as exc:  # ImproperlyConfigured and friends: say what to set, then stop
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    from threadline.process import tighten

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    tighten(Path(settings.DATA_DIR))  # a data directory and database created before the umask was set


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]Error:[/red] {message}")
    raise typer.Exit(code)


def _cli_context():
    from threadline.core import context

    return context.bind(context.RequestContext(request_id=context.new_request_id(), via="cli"))


def _validation_message(exc) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys for identifying fields.", no_args_is_help=True)
demo_app = typer.Typer(help="The synthetic demo.", invoke_without_command=True)
GROUPS = [("org", org_app), ("user", user_app), ("token", token_app), ("audit", audit_app), ("keys", keys_app),
          ("demo", demo_app)]  # fmt: skip


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add the platform's command groups and top-level commands (defined below) to the ``threadline`` app."""
    for name, sub in GROUPS:
        app.add_typer(sub, name=name)
    app.command()(migrate)
    app.command()(serve)
    app.command()(worker)
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(manage)


# --- top-level commands ------------------------------------------------------------------------
def migrate() -> None:
    """Create or update the database tables (and the encryption key file on first run)."""
    django_setup()
    from django.core.management import call_command

    from threadline.audit.services import audit_seal
    from threadline.core.keys import keys_init

    call_command("migrate", interactive=False, verbosity=1)
    if not os.environ.get("THREADLINE_ENCRYPTION_KEYS"):
        path = keys_init()
        console.print(f"Encryption keys: {path}")
    with _cli_context():
        if audit_seal() is not None:
            console.print("Audit chain: the existing entries are now sealed by a keyed entry.")


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Web server processes.")] = 2,
    task_worker: Annotated[
        bool, typer.Option("--task-worker/--no-task-worker", help="Also run the background task worker.")
    ] = True,
) -> None:
    """Serve the web app with gunicorn and the task worker; stopping serve stops both."""
    django_setup()
    from django.conf import settings

    from threadline.cli.serving import Supervisor, bind_problem

    problem = bind_problem(host, port)
    if problem:
        fail(f"Cannot serve: {problem}. Stop the other server or choose another port (--port, make run PORT=...).", 1)
    if not settings.DEBUG:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    web_args = [
        sys.executable,
        "-m",
        "gunicorn",
        "threadline.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    worker_args = [sys.executable, "-m", "threadline", "worker"] if task_worker else None
    supervisor = Supervisor(web_args, worker_args, host=host, port=port, say=console.print)
    code = supervisor.run()
    if code:
        raise typer.Exit(code)


def worker(
    once: Annotated[bool, typer.Option(help="Run queued tasks, then stop.")] = False,
    poll: Annotated[
        float | None, typer.Option(help="Seconds between polls of an empty queue (THREADLINE_TASK_POLL_SECONDS).")
    ] = None,
) -> None:
    """Run background tasks from the database queue until stopped."""
    django_setup()
    from django.conf import settings

    from threadline.core.taskregistry import load_all
    from threadline.core.tasks import run_worker

    load_all()
    poll = poll if poll is not None else settings.TASK_POLL_SECONDS
    # SIGTERM (from serve, systemd or kill) unwinds like Ctrl-C: the running task goes back to the queue,
    # the heartbeat row is removed, and the scan's pool workers follow (they die with their parent).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    console.print("Task worker started.")
    try:
        ran = run_worker(once=once, poll_seconds=poll)
    except KeyboardInterrupt:
        ran = None
    if once:
        console.print(f"Ran {ran} task(s).")


def manage(ctx: typer.Context) -> None:
    """Run a Django management command (for example: collectstatic, check --deploy)."""
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["threadline manage", *ctx.args])


# --- demo ---------------------------------------------------------------------------------------
@demo_app.callback()
def demo(
    ctx: typer.Context,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing when users already exist.")] = False,
) -> None:
    """Load the synthetic demo: organisations, a user for each role, and each area's demo data."""
    if ctx.invoked_subcommand is not None:
        return
    django_setup()
    from threadline.accounts.models import User
    from threadline.synth.demo import DEMO_PASSWORD, load_demo

    if if_empty and User.objects.exists():
        console.print("Demo data already present.")
    else:
        with _cli_context(), console.status("Loading the synthetic demo..."):
            load_demo(progress=lambda name: console.print(f"  demo: {name}"))
    _print_demo_logins(DEMO_PASSWORD)


@demo_app.command("code")
def demo_code(email: str) -> None:
    """Print the current second-factor code of a DEMO user (development only)."""
    django_setup()
    import pyotp
    from django.conf import settings

    from threadline.accounts.models import MFADevice
    from threadline.synth.demo import is_demo_email

    if not settings.DEBUG or not is_demo_email(email):
        fail("Codes are printed only for demo users with THREADLINE_DEBUG=1.")
    device = MFADevice.objects.filter(user__email=email.lower()).order_by("-confirmed", "-created_at").first()
    if device is None:
        fail("This demo user has not started enrolling a second factor yet: sign in first.")
    console.print(pyotp.TOTP(device.secret).now())


def _print_demo_logins(password: str) -> None:
    from threadline.accounts.models import Membership
    from threadline.synth.demo import PLATFORM_EMAIL, is_demo_email

    table = Table(title="Demo sign-ins (synthetic data only)")
    table.add_column("Email", no_wrap=True)
    table.add_column("Role")
    table.add_column("Organisation")
    for m in Membership.objects.select_related("user", "organisation").order_by("organisation__name", "role"):
        if is_demo_email(m.user.email):
            table.add_row(m.user.email, m.get_role_display(), m.organisation.name)
    table.add_row(PLATFORM_EMAIL, "Platform administrator", "(creates organisations)")
    console.print(table)
    console.print(f"Password for every demo user: [bold]{password}[/bold]")
    console.print(
        "The first sign-in asks you to enrol an authenticator app. Without a phone, read the code with\n"
        "  [bold].venv/bin/threadline demo code EMAIL[/bold]   (demo users, THREADLINE_DEBUG=1 only)"
    )


# --- organisations, users, tokens ------------------------------------------------------------
@org_app.command("create")
def org_create(name: str, country: Annotated[str, typer.Option(help="ISO 3166 alpha-2")] = "") -> None:
    """Create an organisation."""
    django_setup()
    from django.core.exceptions import ValidationError

    from threadline.accounts.services import organisation_create

    with _cli_context():
        try:
            org = organisation_create(name=name, country=country)
        except ValidationError as exc:
            fail(_validation_message(exc))
    console.print(f"Created organisation {org.name} (id {org.pk}, short name {org.slug}).")


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    django_setup()
    from threadline.accounts.models import Organisation

    table = Table("id", "name", "short name", "country", "active")
    for org in Organisation.objects.all():
        table.add_row(str(org.pk), org.name, org.slug, org.country, "yes" if org.is_active else "no")
    console.print(table)


def _find_org(name: str):
    from django.db.models import Q

    from threadline.accounts.models import Organisation

    org = Organisation.objects.filter(Q(name__iexact=name) | Q(slug=name)).first()
    if org is None:
        fail(f"No organisation named {name!r}.")
    return org


@user_app.command("create")
def user_create(
    org: Annotated[str, typer.Option("--org", help="Organisation name or short name.")],
    role: Annotated[
        str,
        typer.Option(
            help="administrator, supervisor, caseworker, online_analyst, data_officer, auditor, "
            "prevention_coordinator, facilitator, policy_officer, policy_reviewer or policy_approver"
        ),
    ],
    email: Annotated[str, typer.Option(help="Sign-in email address.")],
    password_file: Annotated[
        Path,
        typer.Option("--password-file", help="File holding the password ('-' reads standard input)."),
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user (or add an existing user to the organisation) non-interactively."""
    django_setup()
    from django.core.exceptions import ValidationError

    from threadline.accounts.services import user_create as create

    if str(password_file) == "-":
        password = sys.stdin.readline().rstrip("\n")
    else:
        try:
            password = password_file.read_text(encoding="utf-8").rstrip("\n")
        except OSError as exc:
            fail(f"Cannot read the password file {password_file}: {exc.strerror}.")
    organisation = _find_org(org)
    with _cli_context():
        try:
            user = create(email=email, password=password, organisation=organisation, role=role, display_name=name)
        except ValidationError as exc:
            fail(_validation_message(exc))
    console.print(f"User {user.email} is {role} in {organisation.name}.")


@user_app.command("list")
def user_list(org: Annotated[str, typer.Option("--org")]) -> None:
    """List an organisation's members."""
    django_setup()
    from threadline.accounts.models import Membership

    table = Table("email", "role", "active", "second factor")
    for m in Membership.objects.filter(organisation=_find_org(org)).select_related("user"):
        table.add_row(
            m.user.email,
            m.role,
            "yes" if m.is_active else "no",
            "yes" if m.user.has_confirmed_mfa else "no",
        )
    console.print(table)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="The user's email.")],
    org: Annotated[str, typer.Option("--org", help="Organisation name or short name.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "automation",
    days: Annotated[int, typer.Option(help="Days until it expires (1 to 365).")] = 90,
) -> None:
    """Create an API token and print its key (shown once)."""
    django_setup()
    from django.core.exceptions import ValidationError

    from threadline.accounts.models import User
    from threadline.accounts.services import token_create as create

    account = User.objects.filter(email=user.strip().lower()).first()
    if account is None:
        fail("No user with that email.")
    with _cli_context():
        try:
            _token, key = create(user=account, organisation=_find_org(org), name=name, expires_in_days=days)
        except ValidationError as exc:
            fail(_validation_message(exc))
    typer.echo(key)


# --- audit -------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="A file written by 'threadline audit checkpoint': also find truncation and deletion."),
    ] = None,
) -> None:
    """Check the signed chain; exit 1 and name the first broken entry if it was tampered with."""
    django_setup()
    from threadline.audit.chain import Checkpoint
    from threadline.audit.services import audit_verify as verify

    saved = None
    if checkpoint is not None:
        try:
            saved = Checkpoint.from_json(checkpoint.read_text(encoding="utf-8"))
        except OSError as exc:
            fail(f"Cannot read the checkpoint file {checkpoint}: {exc.strerror}.")
        except ValueError as exc:
            fail(f"{checkpoint} is not an audit checkpoint: {exc}.")
    result = verify(checkpoint=saved)
    if result.ok:
        against = f", consistent with the checkpoint of {saved.created_at}" if saved else ""
        console.print(f"[green]Audit chain intact[/green]: {result.checked} entries checked{against}.")
        return
    where = f"entry #{result.first_broken_id}" if result.first_broken_id else "the end of the log"
    err.print(
        f"[red]Audit chain broken[/red] at {where}: {result.reason} ({result.checked} entries verified before it)."
    )
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (0600) instead of standard output.")
    ] = None,
) -> None:
    """Verify the chain, then write its signed head (count, last id, last hash) to keep outside the database."""
    django_setup()
    from threadline.audit.services import ChainBroken
    from threadline.audit.services import audit_checkpoint as make_checkpoint

    try:
        text = make_checkpoint().to_json()
    except ChainBroken as exc:
        fail(f"The audit chain does not verify ({exc}); no checkpoint was written.", code=1)
    if output is None:
        typer.echo(text, nl=False)
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    err.print(f"Checkpoint written to {output}.")


# --- keys -------------------------------------------------------------------------------------
@keys_app.command("init")
def keys_init() -> None:
    """Create the key file with a first key (no-op when it exists)."""
    django_setup()
    from threadline.core.keys import keys_init as init

    console.print(f"Key file: {init()}")


@keys_app.command("status")
def keys_status() -> None:
    """How many encrypted values use each key version."""
    django_setup()
    from threadline.core.crypto import KeyringError, get_keyring
    from threadline.core.keys import keys_status as status

    try:
        ring = get_keyring()
    except KeyringError as exc:
        fail(str(exc))
    console.print(f"Keys from {ring.source}; current version {ring.current_version}.")
    table = Table("column", "values by key version")
    for column, counts in status().items():
        table.add_row(column, ", ".join(f"v{v}: {n}" for v, n in sorted(counts.items())) or "—")
    console.print(table)


@keys_app.command("rotate")
def keys_rotate(
    new_key: Annotated[
        bool, typer.Option("--new-key/--no-new-key", help="Add a key version first (key file only).")
    ] = True,
    batch_size: int = 500,
) -> None:
    """Add a key version and re-encrypt every identifying value with it, batch by batch, while running."""
    django_setup()
    from threadline.core.crypto import KeyringError, get_keyring
    from threadline.core.keys import keys_rotate as rotate

    try:
        with console.status("Re-encrypting..."):
            counts = rotate(new_key=new_key, batch_size=batch_size)
    except KeyringError as exc:
        fail(str(exc))
    console.print(f"Now encrypting with key version {get_keyring().current_version}.")
    for column, n in counts.items():
        console.print(f"  {column}: {n} value(s) re-encrypted")
