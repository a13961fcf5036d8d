"""Every domain app has the same shape, so knowing one area is knowing them all (issue #17).

An area is ``threadline/<app>/`` with ``models``, ``services`` and ``selectors`` (modules, or packages when
large), ``views`` on the shared scoped views of ``core.views``, an ``api/`` package with the viewsets and an
``api_routes.py`` that registers them on ``/api/v1/``, ``urls``, ``templates/<app>/``, ``roles`` (its
permissions in the role table), ``demo`` (its part of the demonstration data), and permission specs in
``tests/<app>/permission_specs.py``. ``docs/development/adding-a-feature.md`` walks through it.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest
from django.urls import get_resolver

from threadline.core.views import OrganisationPermissionMixin

# The domain apps. A new area is added here when it is created (prevention and policy join on merge).
DOMAIN_APPS = ["screening", "cases", "online", "insights", "prevention", "policy"]

# Parts of the skeleton an app is still waiting for, as (app, part). Each is an expected failure that must
# fail: once the part arrives the test passes unexpectedly, which fails the run until the entry is removed.
PENDING: set[tuple[str, str]] = set()

# Pages anyone may open (no sign-in, no organisation): published, protected figures only.
PUBLIC_VIEWS = {
    ("insights", "public"),
    ("insights", "public_release_csv"),
    ("insights", "public_synthetic_csv"),
    ("prevention", "public"),
}

TESTS = Path(__file__).parent


def _module(name: str):
    return importlib.util.find_spec(name)


def _has_module(app: str, name: str) -> bool:
    return _module(f"threadline.{app}.{name}") is not None


def _has_package(app: str, name: str) -> bool:
    spec = _module(f"threadline.{app}.{name}")
    return spec is not None and spec.submodule_search_locations is not None


def _app_dir(app: str) -> Path:
    return Path(importlib.import_module(f"threadline.{app}").__file__).parent


def _registers_routes(app: str) -> bool:
    if not _has_module(app, "api_routes"):
        return False
    return callable(getattr(importlib.import_module(f"threadline.{app}.api_routes"), "register", None))


def _urls_named(app: str) -> bool:
    urls = importlib.import_module(f"threadline.{app}.urls")
    return getattr(urls, "app_name", None) == app and bool(getattr(urls, "urlpatterns", None))


CHECKS = {
    "models": lambda app: _has_module(app, "models"),
    "services": lambda app: _has_module(app, "services"),
    "selectors": lambda app: _has_module(app, "selectors"),
    "views": lambda app: _has_module(app, "views"),
    "api package": lambda app: _has_package(app, "api") and _has_module(app, "api.views"),
    "api routes": _registers_routes,
    "urls": lambda app: _has_module(app, "urls") and _urls_named(app),
    "templates": lambda app: (_app_dir(app) / "templates" / app).is_dir(),
    "roles": lambda app: _has_module(app, "roles"),
    "demo": lambda app: _has_module(app, "demo"),
    "permission specs": lambda app: (TESTS / app / "permission_specs.py").is_file(),
}


def _cases():
    for app in DOMAIN_APPS:
        for part in CHECKS:
            marks = [pytest.mark.xfail(strict=True, reason="arrives on merge")] if (app, part) in PENDING else []
            yield pytest.param(app, part, id=f"{app}-{part}", marks=marks)


@pytest.mark.parametrize(("app", "part"), list(_cases()))
def test_every_domain_app_has_the_skeleton(app, part):
    assert CHECKS[part](app), f"threadline.{app} has no {part}: every area has the same shape (test_app_shape.py)"


def test_pending_parts_name_known_apps_and_parts():
    assert {app for app, _part in PENDING} <= set(DOMAIN_APPS)
    assert {part for _app, part in PENDING} <= {*CHECKS, "no guarded imports"}


def _views(app: str):
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == app:
            for view in pattern.url_patterns:
                yield view.name, getattr(view.callback, "view_class", None)


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_page_is_a_scoped_view(app):
    """A page declares its permission and gets its organisation scoping from ``core.views`` (deny by
    default); only the published pages listed in ``PUBLIC_VIEWS`` are open."""
    views = list(_views(app))
    assert views, f"no pages found for {app}"
    unscoped = [
        name
        for name, cls in views
        if (app, name) not in PUBLIC_VIEWS and not (cls and issubclass(cls, OrganisationPermissionMixin))
    ]
    assert unscoped == []


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(
            app, marks=[pytest.mark.xfail(strict=True, reason="pending")] * ((app, "no guarded imports") in PENDING)
        )
        for app in DOMAIN_APPS
    ],
)
def test_the_app_does_not_import_another_domain_apps_internals_with_a_guard(app):
    """Areas do not reach into each other behind ``ImportError`` guards (screening hands over to cases
    through ``screening.handoff``; cases registers itself)."""
    offenders = []
    for path in _app_dir(app).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "except ImportError" in text and any(f"threadline.{other}" in text for other in DOMAIN_APPS if other != app):
            offenders.append(str(path.relative_to(_app_dir(app))))
    assert offenders == []


def test_screening_does_not_import_cases():
    screening = _app_dir("screening")
    importers = [
        str(path.relative_to(screening))
        for path in screening.rglob("*.py")
        if "threadline.cases" in path.read_text(encoding="utf-8")
    ]
    assert importers == []
