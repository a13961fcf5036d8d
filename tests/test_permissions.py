"""Every view and API endpoint: anonymous, without permission, with permission, and across organisations."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.permissions import ViewSpec


def _load():
    specs, public = [], set()
    for info in pkgutil.walk_packages([str(Path(tests.__file__).parent)], "tests."):
        if info.name.endswith(".permission_specs"):
            module = importlib.import_module(info.name)
            specs.extend(module.SPECS)
            public |= getattr(module, "PUBLIC", set())
    return specs, public


SPECS, PUBLIC = _load()


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_has_a_permission_spec():
    covered = {spec.url_name for spec in SPECS} | PUBLIC
    missing = sorted(set(_url_names()) - covered)
    assert not missing, f"views without generated permission tests: {missing}"


def _ids(spec: ViewSpec) -> str:
    return f"{spec.method}-{spec.url_name}"


def _user(org, role, make_user):
    if role == "platform":
        user = make_user(org, "caseworker")
        user.is_staff = True
        user.save()
        return user
    return make_user(org, role or "caseworker")


def _request(spec, client, url, data):
    if spec.api:
        return getattr(client, spec.method)(url, data, format="json")
    return getattr(client, spec.method)(url, data)


def _prepare(spec, org, user):
    if spec.make is None:
        return {}, dict(spec.data)
    kwargs, data = spec.make(org, user)
    return kwargs, {**spec.data, **data}


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=_ids)
def test_anonymous_is_refused(spec, org, make_user, client):
    from rest_framework.test import APIClient

    owner = make_user(org, "administrator")
    kwargs, data = _prepare(spec, org, owner)
    url = reverse(spec.url_name, kwargs=kwargs)
    if spec.api:
        response = _request(spec, APIClient(), url, data)
        assert response.status_code == 401
    else:
        response = _request(spec, client, url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("spec", [s for s in SPECS if s.denied_role], ids=_ids)
def test_role_without_permission_is_refused(spec, org, make_user, signed_in, api_client):
    user = _user(org, spec.denied_role, make_user)
    kwargs, data = _prepare(spec, org, user)
    url = reverse(spec.url_name, kwargs=kwargs)
    client = api_client(user, org) if spec.api else signed_in(user, org)
    response = _request(spec, client, url, data)
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=_ids)
def test_role_with_permission_is_allowed(spec, org, make_user, signed_in, api_client):
    user = _user(org, spec.allowed_role, make_user)
    kwargs, data = _prepare(spec, org, user)
    url = reverse(spec.url_name, kwargs=kwargs)
    client = api_client(user, org) if spec.api else signed_in(user, org)
    response = _request(spec, client, url, data)
    assert response.status_code in spec.ok_status, response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("spec", [s for s in SPECS if s.object_scoped], ids=_ids)
def test_other_organisations_object_is_not_found(spec, org, other_org, make_user, signed_in, api_client):
    user = _user(org, spec.allowed_role, make_user)
    stranger = _user(other_org, spec.allowed_role, make_user)
    kwargs, data = _prepare(spec, other_org, stranger)
    url = reverse(spec.url_name, kwargs=kwargs)
    client = api_client(user, org) if spec.api else signed_in(user, org)
    response = _request(spec, client, url, data)
    assert response.status_code == 404
