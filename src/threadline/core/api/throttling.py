"""API throttling, read from settings on every request so that rates are configurable (and testable).

Two limits: each signed-in user (all their tokens together) and each anonymous client address (public
endpoints and failed token attempts). Clients are told when to come back (``Retry-After``).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling

from threadline.core.client import client_ip


class _SettingsRateMixin:
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class UserThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Requests per user, whichever of their tokens they use."""


class AnonymousClientThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Requests per anonymous client address (behind the trusted proxies)."""

    def exceeded(self, request) -> bool:
        """Over the limit already, without counting this request (for token checks before they are made)."""
        # Keyed like get_cache_key, which cannot be used here: it asks request.user, i.e. authenticates again.
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def record(self, request) -> None:
        """Count a failed token attempt against the client."""
        if not self.exceeded(request):
            self.throttle_success()
