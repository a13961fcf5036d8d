"""The protected result of a release: what may leave the organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from threadline.engines.disclosure.crosstab import Key

PRIMARY = "primary"  # 0 < n < k
COMPLEMENTARY = "complementary"  # hidden so that totals and other releases cannot reveal a primary cell
DIFFERENCE = "difference"  # would differ by fewer than k from a value published for an earlier version


@dataclass
class ProtectedCell:
    """One published figure. ``value`` is None when suppressed; ``suppressed`` says why (kept internal:
    writers print only "suppressed", so that primary and complementary cells look alike)."""

    key: Key
    value: int | None
    suppressed: str | None = None
    accuracy: float | None = None

    @property
    def is_total(self) -> bool:
        return None in self.key


@dataclass
class ProtectedTable:
    by: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    cells: list[ProtectedCell]
    method: str  # "suppression" | "dp"
    dataset_id: str
    version: str
    k: int | None = None
    epsilon: float | None = None
    alpha: float | None = None
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def cell(self, key: Key) -> ProtectedCell:
        key = tuple(key)
        for c in self.cells:
            if c.key == key:
                return c
        raise KeyError(key)

    def published(self) -> dict[Key, int]:
        return {c.key: c.value for c in self.cells if c.value is not None}

    def suppressed_keys(self) -> list[Key]:
        return [c.key for c in self.cells if c.value is None]

    @property
    def interior(self) -> list[ProtectedCell]:
        return [c for c in self.cells if not c.is_total]

    @property
    def total(self) -> ProtectedCell:
        return self.cell((None,) * len(self.by))
