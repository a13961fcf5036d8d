"""The shared per-client limiter: counts per hashed address and scope, expires with its window, keeps no
address in the cache."""

from __future__ import annotations

from django.core.cache import cache
from django.test import RequestFactory, override_settings

from threadline.core.ratelimit import Limit


def _request(address: str):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_a_client_is_limited_after_its_attempts_and_others_are_not():
    limit = Limit("test-scope", attempts=3, window=60)
    one, other = _request("192.0.2.10"), _request("192.0.2.11")
    for expected in (1, 2, 3):
        assert not limit.exceeded(one)
        assert limit.hit(one) == expected
    assert limit.exceeded(one)
    assert not limit.exceeded(other) and limit.count(other) == 0


def test_scopes_count_apart_and_the_key_holds_no_address():
    first, second = Limit("scope-a", attempts=1, window=60), Limit("scope-b", attempts=1, window=60)
    request = _request("198.51.100.7")
    first.hit(request)
    assert first.exceeded(request) and not second.exceeded(request)
    assert "198.51.100.7" not in first.key(request) and first.key(request) != second.key(request)


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_forwarded_client_is_counted():
    limit = Limit("proxied", attempts=1, window=60)
    behind = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    limit.hit(behind)
    assert limit.exceeded(behind) and not limit.exceeded(other)


def test_a_count_that_expired_starts_again():
    limit = Limit("expiring", attempts=2, window=60)
    request = _request("192.0.2.20")
    limit.hit(request)
    limit.hit(request)
    cache.delete(limit.key(request))  # what the window's end does
    assert not limit.exceeded(request) and limit.hit(request) == 1
