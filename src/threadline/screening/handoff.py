"""Where a screening hands over to case management.

Screening does not depend on the cases area: when that area is installed, it registers a ``CaseHandoff`` here
(``CasesConfig.ready``), and the cases area owns opening a case from a screening. Without one, the result page
says to follow the organisation's protection procedure instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseHandoff:
    """What the case-management area offers a screening. Refusals are ``ValidationError``s."""

    # Open a protection case linked to the screening (checks the user's role and that none is open yet).
    open: Callable[..., object]  # (*, screening, user, safety_concerns: Sequence[str]) -> case
    # The cases already opened from the screening that the user may see.
    opened: Callable[..., list]  # (*, screening, user) -> list of cases
    # Pass safety answers recorded after the case opened on to its cases (known concerns change nothing).
    flag_safety: Callable[..., None]  # (*, screening, user, concerns: Sequence[str]) -> None


_registered: list[CaseHandoff] = []


def register(handoff: CaseHandoff) -> None:
    """Offer opening cases from screenings (one case-management area; registering again replaces it)."""
    _registered[:] = [handoff]


def current() -> CaseHandoff | None:
    """The registered case-management area, or None when none is installed."""
    return _registered[0] if _registered else None


__all__ = ["CaseHandoff", "current", "register"]
