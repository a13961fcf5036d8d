"""``threadline insights withdraw``: the insights group's one platform command. It acts on the web app's imports
(their database rows and the audit log), so it sets Django up; the engine commands in
:mod:`threadline.cli.insights` never do."""

from __future__ import annotations

from typing import Annotated

import typer

from threadline.cli.common import fail


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add ``withdraw`` to the ``insights`` group."""

    @groups["insights"].command("withdraw")
    def withdraw_cmd(
        import_id: Annotated[str, typer.Argument(help="The import's id (shown on its page in the web app).")],
        by: Annotated[str, typer.Option("--by", help="Email of the data officer withdrawing it (audited).")],
    ) -> None:
        """Withdraw an import made in the web app: remove its records from the organisation's store (audited)."""
        import uuid

        from threadline.cli.platform import _cli_context, django_setup

        django_setup()
        from django.core.exceptions import ValidationError

        from threadline.accounts.models import User
        from threadline.core.permissions import has_perm
        from threadline.insights.models import ImportJob
        from threadline.insights.services import import_withdraw

        try:
            job = ImportJob.objects.select_related("organisation").filter(pk=uuid.UUID(import_id)).first()
        except ValueError:
            job = None
        if job is None:
            fail(f"no import with id {import_id}")
        user = User.objects.filter(email__iexact=by, is_active=True).first()
        if user is None or not has_perm(user, "insights.change_importjob", job.organisation):
            fail(f"{by} may not withdraw imports of {job.organisation.name}")
        with _cli_context():
            try:
                import_withdraw(job=job, user=user)
            except ValidationError as exc:
                fail(" ".join(exc.messages))
        typer.echo(f"withdrew import {job.pk} ({job.rows} records from {job.source}); run linkage again")
