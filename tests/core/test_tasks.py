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


# --- the worker survives transient database errors and reports its health (issue #18 item 12) -------------
def test_the_worker_survives_database_is_locked(org, monkeypatch):
    from django.db import OperationalError

    record = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 1})
    calls = {"n": 0}
    real = tasks._requeue_stale

    def locked_twice(now):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("database is locked")
        return real(now)

    pauses: list[float] = []
    monkeypatch.setattr(tasks, "_requeue_stale", locked_twice)
    monkeypatch.setattr(tasks, "_pause", pauses.append, raising=False)
    assert tasks.run_worker(once=True) == 1
    record.refresh_from_db()
    assert record.status == Task.Status.SUCCEEDED
    assert pauses == [0.5, 1.0]  # backing off, not spinning


def test_a_finished_task_keeps_its_outcome_through_a_locked_database(org, monkeypatch):
    from django.db import OperationalError

    record = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 1})
    real_update = tasks.Task.objects.filter(pk=record.pk).update.__func__
    state = {"locked": 1}

    def update(self, **kwargs):
        if "finished_at" in kwargs and state["locked"]:
            state["locked"] -= 1
            raise OperationalError("database is locked")
        return real_update(self, **kwargs)

    monkeypatch.setattr(type(tasks.Task.objects.all()), "update", update)
    monkeypatch.setattr(tasks, "_pause", lambda s: None, raising=False)
    tasks.run_worker(once=True)
    record.refresh_from_db()
    assert record.status == Task.Status.SUCCEEDED and record.finished_at is not None


def test_health_reports_a_dead_or_missing_worker(client, org):
    from threadline.core.models import WorkerBeat

    assert client.get("/health/").status_code == 200  # nothing waiting, no worker: nothing to report
    old = timezone.now() - timedelta(minutes=10)
    record = tasks.enqueue("tests.count_to", organisation=org, payload={"n": 1})
    Task.objects.filter(pk=record.pk).update(created_at=old)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "queued tasks are waiting and no task worker is running",
    }
    WorkerBeat.objects.create(worker="host:1", started_at=old, beat_at=old)  # a worker that died
    response = client.get("/health/")
    assert response.status_code == 503 and "stopped responding" in response.json()["reason"]
    WorkerBeat.objects.filter(worker="host:1").update(beat_at=timezone.now())
    assert client.get("/health/").status_code == 200


def test_a_worker_beats_while_it_runs_and_removes_its_row_when_it_stops(org):
    import threading

    from threadline.core.models import WorkerBeat

    stop = threading.Event()
    seen: list[int] = []

    @tasks.task("tests.look_for_beat")
    def _look(ctx):
        seen.append(WorkerBeat.objects.count())
        stop.set()
        return {}

    old = timezone.now() - timedelta(hours=1)
    WorkerBeat.objects.create(worker="gone:1", started_at=old, beat_at=old)  # killed long ago
    tasks.enqueue("tests.look_for_beat", organisation=org)
    tasks.run_worker(poll_seconds=0.01, stop=stop)
    assert seen == [1] and not WorkerBeat.objects.exists()
