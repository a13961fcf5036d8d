"""Generated permission tests: the spec every view and API endpoint must have.

Each area lists its views in ``tests/<area>/permission_specs.py`` as ``SPECS = [ViewSpec(...), ...]``.
``tests/test_permissions.py`` tries every spec anonymous, without permission, with permission and (for
object views) against another organisation's object; a meta-test fails when a URL has no spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ViewSpec:
    url_name: str
    allowed_role: str | None  # None: any signed-in user (their own things)
    denied_role: str | None = None
    method: str = "get"
    # make(org, user) -> (url kwargs, post data). Called for the user's own organisation and for another.
    make: Callable | None = None
    object_scoped: bool = False  # another organisation's object must give 404
    api: bool = False
    ok_status: tuple[int, ...] = (200,)
    data: dict = field(default_factory=dict)
