"""The audit log names the actor from the request context (web, API, task), never by reading the user model;
core reports refusals through its audit port, which refuses to run without a recorder."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from threadline.audit.models import AuditEntry
from threadline.core import auditing, context, tasks

pytestmark = pytest.mark.django_db


@tasks.task("tests.audited_write")
def _audited_write(ctx):
    from threadline.audit.services import audit_record

    audit_record(action="run", object_type="tests.thing", object_id="1")
    return {}


def test_a_task_records_its_creator_as_the_actor(org, make_user):
    user = make_user(org, "caseworker")
    tasks.enqueue("tests.audited_write", organisation=org, user=user)
    assert tasks.run_worker(once=True) == 1
    entry = AuditEntry.objects.get(object_type="tests.thing")
    assert (entry.actor_id, entry.actor_label, entry.via) == (user.pk, user.email, "task")


def test_a_web_request_records_the_signed_in_user(org, make_user, signed_in):
    user = make_user(org, "auditor")
    assert signed_in(user, org).get("/cases/").status_code == 403  # auditors see no case data
    entry = AuditEntry.objects.filter(action="denied").latest("id")
    assert (entry.actor_id, entry.actor_label, entry.organisation_id) == (user.pk, user.email, org.pk)


def test_an_api_request_records_the_token_holder(org, other_org, make_user, api_client):
    user = make_user(org, "caseworker")
    assert api_client(user, org).get(f"/api/v1/organisations/{other_org.pk}/").status_code == 404
    entry = AuditEntry.objects.get(action="denied", object_type="accounts.organisation")
    assert (entry.actor_id, entry.actor_label, entry.via) == (user.pk, user.email, "api")
    assert entry.organisation_id == other_org.pk  # the refusal goes to the owning organisation's log


def test_the_context_names_the_actor_without_reading_the_user_table(org, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from threadline.audit.services import audit_record

    user = make_user(org)
    bound = context.RequestContext(request_id="r" * 32, user_id=user.pk, actor_label=user.email, via="cli")
    with context.bind(bound), CaptureQueriesContext(connection) as queries:
        entry = audit_record(action="run", object_type="tests.thing", object_id="2")
    assert entry.actor_label == user.email
    assert not [q for q in queries.captured_queries if "accounts_user" in q["sql"]]


def test_core_refuses_to_leave_a_refusal_unaudited(monkeypatch):
    monkeypatch.setattr(auditing, "_recorder", None)
    with pytest.raises(ImproperlyConfigured):
        auditing.denied(note="x")
