"""Shared fixtures: organisations, users in each role, signed-in clients (second factor verified), API clients."""

from __future__ import annotations

import itertools
import os

import pytest

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _encryption_keys(tmp_path_factory, monkeypatch, settings):
    """Every test runs with its own key file, as a deployment would."""
    from threadline.core import crypto

    key_dir = tmp_path_factory.mktemp("keys")
    settings.ENCRYPTION_KEY_FILE = str(key_dir / "keys.json")
    monkeypatch.delenv("THREADLINE_ENCRYPTION_KEYS", raising=False)
    crypto.write_key_file(key_dir / "keys.json", {1: crypto.new_key()})
    crypto.reset_keyring()
    yield
    crypto.reset_keyring()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttling counts requests in the cache: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset():
    """A request with Accept-Language leaves its language active in the thread (LocaleMiddleware does not undo
    it): without this, one French page test makes the next test's messages French."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def make_org(db):
    from threadline.accounts.services import organisation_create

    def make(name: str | None = None):
        return organisation_create(name=name or f"Test Agency {next(_counter)}")

    return make


@pytest.fixture
def make_user(db):
    from threadline.accounts.services import user_create

    def make(org, role: str = "caseworker", email: str | None = None):
        email = email or f"user{next(_counter)}@agency.example"
        return user_create(email=email, password=PASSWORD, organisation=org, role=role)

    return make


@pytest.fixture
def org(make_org):
    return make_org("Harbour Test Agency")


@pytest.fixture
def other_org(make_org):
    return make_org("Other Test Agency")


def _verified_client(client, user, org=None):
    from threadline.accounts.middleware import SESSION_MFA, SESSION_ORG

    client.force_login(user)
    session = client.session
    session[SESSION_MFA] = True
    if org is not None:
        session[SESSION_ORG] = org.pk
    session.save()
    return client


@pytest.fixture
def signed_in(client):
    """signed_in(user, org) -> a test client signed in with the second factor verified."""

    def sign_in(user, org=None):
        return _verified_client(client, user, org)

    return sign_in


@pytest.fixture
def api_client(db):
    from rest_framework.test import APIClient

    from threadline.accounts.services import token_create

    def make(user, org):
        _token, key = token_create(user=user, organisation=org, name="test")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


def pytest_collection_modifyitems(config, items):
    if os.environ.get("THREADLINE_SKIP_BROWSER"):
        skip = pytest.mark.skip(reason="THREADLINE_SKIP_BROWSER is set")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)
