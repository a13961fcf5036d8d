"""The address of the client behind the deployment's trusted reverse proxies.

``REMOTE_ADDR`` is the proxy's address when nginx forwards to gunicorn on 127.0.0.1, so sign-in lockout,
throttling and the audit log would see one client. ``THREADLINE_TRUSTED_PROXIES`` says how many proxies stand
in front of the app; each appends the address it received the request from to ``X-Forwarded-For``, so the
client is that many entries from the right. Entries further left were written by the client and are never
trusted. django-ipware does the parsing.
"""

from __future__ import annotations

from django.conf import settings
from ipware import get_client_ip

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


def client_ip(request) -> str | None:
    """The client's address: from ``X-Forwarded-For`` behind trusted proxies, else the socket address."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXIES
    if proxies < 1 or not request.META.get(FORWARDED_HEADER):
        return remote
    # ipware counts the proxies listed in the header; the last proxy appears only as REMOTE_ADDR.
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=[FORWARDED_HEADER],
        strict=False,
    )
    return ip or remote
