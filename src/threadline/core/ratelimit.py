"""A small per-client counter in the Django cache for public pages without an account.

The client's address is never stored: it is reduced to a keyed hash (``salted_hmac`` with the site's secret and
a per-use salt), so counts of two uses never share a key and the cache holds nothing that identifies anyone.
Counts expire ``window`` seconds after the first one (a fixed window).

Used by the pupils' survey (wrong codes) and the survivor advisory form (submissions).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from threadline.core.client import client_ip


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` counted events per client in ``window`` seconds, under the namespace ``scope``."""

    scope: str
    attempts: int
    window: int

    def key(self, request) -> str:
        who = salted_hmac(f"threadline.ratelimit.{self.scope}", client_ip(request) or "unknown").hexdigest()[:32]
        return f"ratelimit:{self.scope}:{who}"

    def count(self, request) -> int:
        return int(cache.get(self.key(request)) or 0)

    def exceeded(self, request) -> bool:
        """True when this client reached the limit in the current window."""
        return self.count(request) >= self.attempts

    def hit(self, request) -> int:
        """Count one event for this client; returns the count so far in the window."""
        key = self.key(request)
        if cache.add(key, 1, self.window):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, self.window)
            return 1
