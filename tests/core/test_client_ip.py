"""The client address behind the configured number of trusted reverse proxies (THREADLINE_TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from threadline.core.client import client_ip

factory = RequestFactory()


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_one_proxy_takes_the_address_it_appended(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(_request("127.0.0.1", "203.0.113.5")) == "203.0.113.5"
    # a client that sends its own X-Forwarded-For cannot choose its address: nginx appends the real one
    assert client_ip(_request("127.0.0.1", "198.51.100.1, 203.0.113.5")) == "203.0.113.5"


def test_two_proxies_skip_the_inner_one(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(_request("10.0.0.2", "198.51.100.1, 203.0.113.5, 10.0.0.1")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_a_request_that_bypassed_the_proxy_counts_as_its_socket_address(settings, forwarded):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(_request("192.0.2.9", forwarded)) == "192.0.2.9"
