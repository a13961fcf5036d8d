"""A paginator that counts at most ``CAP`` rows, so a list of 100,000 cases never waits for an exact count.

Nobody pages through thousands of cases; past the cap the page says "more than" and search narrows it down.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

CAP = 1000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            rows = rows.select_related(None).order_by()  # counting needs neither the joins nor the order
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
