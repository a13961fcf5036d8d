from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from threadline.core import tasks
from threadline.core.models import Task

pytestmark = pytest.mark.django_db


@tasks.task("tests.count_to")
def _count_to(ctx):
    for n in range(ctx.payload["n"]):
        ctx.check_cancelled()
        ctx.progress(stage="counting", done=n + 1)
    return {"counted": ctx.payload["n"]}


@tasks.task("tests.boom")
def _boom(ctx):
    raise ValueError("the input file has no header row")


@tasks.task("tests.cancel_me")
def _cancel_me(ctx):
    Task.objects.filter(pk=ctx.task.pk).update(cancel_requested=True)
    ctx.check_cancelled()
    return {"reached": True}


def test_worker_runs_queued_tasks_and_records_progress(org):
    record = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 3})
    assert tasks.run_worker(once=True) == 1
    record.refresh_from_db()
    assert record.status == Task.Status.SUCCEEDED
    assert record.progress == {"stage": "counting", "done": 3}
    assert record.result == {"counted": 3} and record.attempts == 1


def test_a_failing_task_is_recorded_and_the_worker_goes_on(org):
    failing = tasks.enqueue("tests.boom", organisation=org)
    fine = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 1})
    assert tasks.run_worker(once=True) == 2
    failing.refresh_from_db()
    fine.refresh_from_db()
    assert failing.status == Task.Status.FAILED and "no header row" in failing.error
    assert fine.status == Task.Status.SUCCEEDED


def test_cancelling(org):
    queued = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 1})
    tasks.request_cancel(queued)
    queued.refresh_from_db()
    assert queued.status == Task.Status.CANCELLED
    running = tasks.enqueue("tests.cancel_me", organisation=org)
    tasks.run_worker(once=True)
    running.refresh_from_db()
    assert running.status == Task.Status.CANCELLED


def test_a_task_whose_worker_died_is_queued_again(org):
    record = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 1})
    Task.objects.filter(pk=record.pk).update(
        status=Task.Status.RUNNING, attempts=1, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert tasks.run_worker(once=True) == 1
    record.refresh_from_db()
    assert record.status == Task.Status.SUCCEEDED and record.attempts == 2


def test_unknown_task_names_are_refused():
    with pytest.raises(KeyError):
        tasks.enqueue("tests.no_such_task")


def test_periodic_tasks_are_scheduled_once():
    tasks._schedule_periodic(timezone.now())
    tasks._schedule_periodic(timezone.now())
    assert Task.objects.filter(name="audit.verify_chain").count() == 1
