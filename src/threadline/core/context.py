"""Per-request context (request id, actor, organisation) shared by logging and the audit log.

The audit log reads the actor from here, so whoever binds a ``user_id`` binds its ``actor_label`` with it.

Context variables work for threads and for the task worker alike; the middleware and the worker set them,
nothing else should.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    user_id: int | None = None
    actor_label: str = ""  # the acting user's email, as the audit log records it beside ``user_id``
    organisation_id: int | None = None
    ip_address: str | None = None
    via: str = "web"  # web, api, cli, task


_current: ContextVar[RequestContext | None] = ContextVar("threadline_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext | None:
    return _current.get()


def current_request_id() -> str | None:
    ctx = _current.get()
    return ctx.request_id if ctx else None


@contextlib.contextmanager
def bind(ctx: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def update(**changes: object) -> None:
    ctx = _current.get()
    if ctx is None:
        return
    _current.set(RequestContext(**{**ctx.__dict__, **changes}))
