"""API throttling: per user (whatever token they use) and per anonymous client, with Retry-After."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_a_token_that_exceeds_the_user_rate_gets_429_with_retry_after(org, make_user, api_client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "5/min"}
    api = api_client(make_user(org, "administrator"), org)
    statuses = [api.get("/api/v1/organisations/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = api.get("/api/v1/organisations/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["errors"]["non_field_errors"] and response.json()["request_id"]


def test_the_user_rate_counts_every_token_of_the_user_and_no_one_else(org, make_user, api_client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "4/min"}
    user = make_user(org, "administrator")
    first, second = api_client(user, org), api_client(user, org)
    for _ in range(2):
        assert first.get("/api/v1/organisations/").status_code == 200
        assert second.get("/api/v1/organisations/").status_code == 200
    assert second.get("/api/v1/organisations/").status_code == 429
    assert api_client(make_user(org, "administrator"), org).get("/api/v1/organisations/").status_code == 200


def test_an_anonymous_client_guessing_tokens_is_throttled_by_address(client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "3/min"}
    statuses = [
        client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Token tl_abcd{n}_guess").status_code for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert int(client.get("/api/v1/organisations/", HTTP_AUTHORIZATION="Token tl_x_y")["Retry-After"]) > 0
    other = client.get("/api/v1/organisations/", HTTP_AUTHORIZATION="Token tl_x_y", REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 401


def test_anonymous_requests_to_public_endpoints_are_throttled(client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "2/min"}
    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def _settings_of(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "from threadline import settings as s; print(s.API_THROTTLE_RATES, s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    environ = {**os.environ, "THREADLINE_TESTING": "1", **env}
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60)


def test_rates_come_from_the_environment():
    result = _settings_of({"THREADLINE_API_RATE_USER": "100/hour", "THREADLINE_API_RATE_ANON": "7/min"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("{'anon': '7/min', 'user': '100/hour'}") == 2


def test_a_malformed_rate_refuses_to_start():
    result = _settings_of({"THREADLINE_API_RATE_USER": "lots"})
    assert result.returncode != 0 and "THREADLINE_API_RATE_USER" in result.stderr
