"""A small database-backed task queue: enqueue from a request, run in ``threadline worker``.

Tasks are registered by name with ``@task("area.name")``. A task function receives a ``TaskContext`` to
report progress and to check for cancellation. A worker claims a queued task with a conditional UPDATE, which
is atomic on SQLite and PostgreSQL alike, so several workers can run side by side. A task whose worker died
(no heartbeat for ``STALE_AFTER``) is queued again, up to ``MAX_ATTEMPTS``; task functions are written to be
resumable (they skip work already finished).

The worker outlives transient database errors ("database is locked", a dropped PostgreSQL connection): it
backs off and tries again instead of dying. It records a heartbeat (``WorkerBeat``) that ``/health/`` reads,
so a worker that died or hangs is reported, and ``threadline serve`` starts a dead worker again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from threadline.core import context
from threadline.core.models import Task, WorkerBeat

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 15
#: ``/health/`` reports the worker as stopped when no worker has beaten for this long.
WORKER_STALE_AFTER = timedelta(minutes=2)
#: Pauses after consecutive transient database errors, then the last one again and again.
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class TaskCancelled(Exception):
    """Raised inside a task when a user asked to cancel it."""


@dataclass(frozen=True)
class RegisteredTask:
    name: str
    func: Callable[[TaskContext], dict | None]
    every: timedelta | None = None
    permission: str | None = None
    settle: Callable[[dict, str], None] | None = None


_registry: dict[str, RegisteredTask] = {}


def task(
    name: str,
    *,
    every: timedelta | None = None,
    permission: str | None = None,
    settle: Callable[[dict, str], None] | None = None,
):
    """Register a task function.

    ``every`` makes the worker schedule it periodically. ``permission`` is the area permission a member needs
    to see (and, with ``core.change_task``, cancel) tasks of this kind: their own, or everyone's with
    ``core.supervise_task``; a kind without one is seen by nobody. ``settle(payload, status)`` brings the
    area's own record (a scan, an import) in line when the task ends cancelled or failed, including when it
    never ran: cancelled while queued, or given up after its worker died too often. It must be idempotent.
    """

    def decorator(func):
        _registry[name] = RegisteredTask(name=name, func=func, every=every, permission=permission, settle=settle)
        return func

    return decorator


def _settle(record: Task, status: str) -> None:
    item = _registry.get(record.name)
    if item is None or item.settle is None:
        return
    try:
        item.settle(record.payload, status)
    except Exception:
        log.exception("Settling task %s after it ended %s failed", record.name, status)


def registered() -> dict[str, RegisteredTask]:
    return dict(_registry)


class TaskContext:
    def __init__(self, record: Task):
        self.task = record
        self._last_beat = 0.0

    @property
    def payload(self) -> dict:
        return self.task.payload

    def progress(self, **values) -> None:
        """Store progress (stage, counts) for the page to show; also acts as the heartbeat."""
        self.task.progress = {**self.task.progress, **values}
        now = timezone.now()
        Task.objects.filter(pk=self.task.pk).update(progress=self.task.progress, heartbeat_at=now)
        self._last_beat = time.monotonic()

    def cancelled(self) -> bool:
        return Task.objects.filter(pk=self.task.pk, cancel_requested=True).exists()

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise TaskCancelled


def enqueue(name: str, *, organisation=None, user=None, payload: dict | None = None, run_after=None) -> Task:
    if name not in _registry:
        raise KeyError(f"Unknown task {name!r}")
    return Task.objects.create(
        name=name, organisation=organisation, created_by=user, payload=payload or {}, run_after=run_after
    )


def request_cancel(record: Task) -> None:
    """Ask a task to stop. One that has not started yet is cancelled at once, with the record it belongs to;
    a running one stops at its next check and settles then."""
    Task.objects.filter(pk=record.pk).update(cancel_requested=True)
    if Task.objects.filter(pk=record.pk, status=Task.Status.QUEUED).update(
        status=Task.Status.CANCELLED, finished_at=timezone.now()
    ):
        _settle(record, Task.Status.CANCELLED)


def _requeue_stale(now) -> None:
    stale = Task.objects.filter(status=Task.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    stale.filter(attempts__lt=MAX_ATTEMPTS).update(status=Task.Status.QUEUED, worker="")
    for record in stale.filter(attempts__gte=MAX_ATTEMPTS):
        if Task.objects.filter(pk=record.pk, status=Task.Status.RUNNING).update(
            status=Task.Status.FAILED, error="The worker stopped responding too many times.", finished_at=now
        ):
            _settle(record, Task.Status.FAILED)


def _schedule_periodic(now) -> None:
    for item in _registry.values():
        if item.every is None:
            continue
        pending = Task.objects.filter(name=item.name, status__in=[Task.Status.QUEUED, Task.Status.RUNNING])
        if pending.exists():
            continue
        last = Task.objects.filter(name=item.name).order_by("-created_at").first()
        if last is None or last.created_at <= now - item.every:
            Task.objects.create(name=item.name)


def claim_next(worker_id: str) -> Task | None:
    now = timezone.now()
    candidates = (
        Task.objects.filter(status=Task.Status.QUEUED, cancel_requested=False)
        .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:5]
    )
    for pk in candidates:
        with transaction.atomic():
            claimed = Task.objects.filter(pk=pk, status=Task.Status.QUEUED).update(
                status=Task.Status.RUNNING, worker=worker_id, started_at=now, heartbeat_at=now
            )
        if claimed:
            record = Task.objects.get(pk=pk)
            Task.objects.filter(pk=pk).update(attempts=record.attempts + 1)
            return record
    return None


def run_task(record: Task) -> Task:
    """Run one claimed task to its end state."""
    item = _registry.get(record.name)
    ctx = TaskContext(record)
    stop_beat = threading.Event()

    def beat():
        while not stop_beat.wait(HEARTBEAT_SECONDS):
            try:
                now = timezone.now()
                Task.objects.filter(pk=record.pk).update(heartbeat_at=now)
                WorkerBeat.objects.filter(worker=record.worker).update(beat_at=now)
            except TRANSIENT_ERRORS:
                log.warning("Task heartbeat skipped: the database is busy or unreachable.")
        close_old_connections()

    beater = threading.Thread(target=beat, daemon=True)
    beater.start()
    org_id = record.organisation_id
    user_id = record.created_by_id
    req = context.RequestContext(
        request_id=f"task-{record.pk.hex[:24]}",
        user_id=user_id,
        actor_label=record.created_by.email if user_id is not None else "",
        organisation_id=org_id,
        via="task",
    )
    try:
        with context.bind(req):
            if item is None:
                raise LookupError(f"No task is registered under the name {record.name!r}.")
            result = item.func(ctx) or {}
        end = {"status": Task.Status.SUCCEEDED, "result": result, "error": ""}
    except TaskCancelled:
        end = {"status": Task.Status.CANCELLED}
    except Exception as exc:
        log.exception("Task %s failed", record.name)
        # The error names the exception type and the task's own message; tasks never put identifying data there.
        end = {"status": Task.Status.FAILED, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    except BaseException:
        # The worker is being stopped (SIGTERM, Ctrl-C): the task is resumable, so it goes back to the queue
        # at once rather than waiting STALE_AFTER to be found.
        Task.objects.filter(pk=record.pk, status=Task.Status.RUNNING).update(status=Task.Status.QUEUED, worker="")
        raise
    finally:
        stop_beat.set()
    _retrying(lambda: Task.objects.filter(pk=record.pk).update(**end, finished_at=timezone.now()))
    if end["status"] != Task.Status.SUCCEEDED:
        _settle(record, end["status"])
    record.refresh_from_db()
    return record


def _retrying(operation: Callable[[], object]):
    """Run a database write again after transient errors (the outcome of a finished task must not be lost)."""
    for pause in BACKOFF_SECONDS:
        try:
            return operation()
        except TRANSIENT_ERRORS:
            log.warning("The database is busy or unreachable; trying again in %s s.", pause)
            _pause(pause)
            _reset_connection()
    return operation()


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _reset_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()


def _refresh_connections() -> None:
    """Drop stale connections between tasks (never inside a transaction, such as a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _beat(worker_id: str, started_at, now) -> None:
    """Touch this worker's row; rows of workers gone for good go (one live worker is all health needs)."""
    if not WorkerBeat.objects.filter(worker=worker_id).update(beat_at=now):
        WorkerBeat.objects.create(worker=worker_id, started_at=started_at, beat_at=now)
    WorkerBeat.objects.filter(beat_at__lt=now - WORKER_STALE_AFTER).delete()


def worker_health(now=None) -> str:
    """'' when background tasks are being run, else why not (for ``/health/``; no identifying data)."""
    now = now or timezone.now()
    fresh = WorkerBeat.objects.filter(beat_at__gte=now - WORKER_STALE_AFTER).exists()
    if fresh:
        return ""
    if WorkerBeat.objects.exists():
        return "the task worker stopped responding"
    waiting = Task.objects.filter(
        status=Task.Status.QUEUED, cancel_requested=False, created_at__lt=now - WORKER_STALE_AFTER
    )
    if waiting.filter(Q(run_after__isnull=True) | Q(run_after__lte=now)).exists():
        return "queued tasks are waiting and no task worker is running"
    return ""


def run_worker(*, once: bool = False, poll_seconds: float = 1.0, stop: threading.Event | None = None) -> int:
    """Run tasks until stopped (or until the queue is empty when ``once``). Returns how many ran.

    Transient database errors are retried with a growing pause; anything else still stops the worker."""
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    started_at = timezone.now()
    last_beat = None
    ran = 0
    failures = 0
    try:
        while stop is None or not stop.is_set():
            try:
                _refresh_connections()
                now = timezone.now()
                if last_beat is None or now - last_beat >= timedelta(seconds=HEARTBEAT_SECONDS):
                    _beat(worker_id, started_at, now)  # not every poll: each beat is a write
                    last_beat = now
                _requeue_stale(now)
                if not once:
                    _schedule_periodic(now)
                record = claim_next(worker_id)
            except TRANSIENT_ERRORS:
                pause = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
                failures += 1
                log.warning("The database is busy or unreachable; the worker tries again in %s s.", pause)
                _pause(pause)
                _reset_connection()
                continue
            failures = 0
            if record is None:
                if once:
                    return ran
                time.sleep(poll_seconds)
                continue
            run_task(record)
            ran += 1
        return ran
    finally:
        # If the database is unreachable now, /health/ reports the row left behind once it is stale: the truth.
        with contextlib.suppress(*TRANSIENT_ERRORS):
            WorkerBeat.objects.filter(worker=worker_id).delete()
