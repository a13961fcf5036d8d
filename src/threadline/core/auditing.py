"""The audit port: how core has a security event recorded without importing the audit app above it.

Core raises two kinds of event: a refused permission check (a view's ``permission_required`` missing in the
current organisation) and a refused read (a lookup of an object that ``restrict`` removed). ``threadline.audit``
installs its recorder here in its ``AppConfig.ready()``. Until then an event raises ``ImproperlyConfigured``:
nothing is silently left unaudited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Recorder:
    #: ``denied(note=...)``: a permission check refused the current request.
    denied: Callable[..., object]
    #: ``refused_read(object_type=..., object_id=..., organisation_id=...)``: a restricted lookup found an object
    #: of another organisation (or one the role may not see); recorded in the owning organisation's log.
    refused_read: Callable[..., object]


_recorder: Recorder | None = None


def install(recorder: Recorder) -> None:
    global _recorder
    _recorder = recorder


def _installed() -> Recorder:
    if _recorder is None:
        raise ImproperlyConfigured("No audit recorder is installed: add threadline.audit to INSTALLED_APPS.")
    return _recorder


def denied(*, note: str) -> None:
    _installed().denied(note=note)


def refused_read(*, object_type: str, object_id: str, organisation_id: int) -> None:
    _installed().refused_read(object_type=object_type, object_id=object_id, organisation_id=organisation_id)
