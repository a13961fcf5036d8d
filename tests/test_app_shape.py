"""Every domain app has the same shape, so knowing one area is knowing them all (issue #17).

An area is ``threadline/<app>/`` with ``models``, ``services`` and ``selectors`` (modules, or packages when
large), ``views`` on the shared scoped views of ``core.views``, an ``api/`` package with the viewsets and an
``api_routes.py`` that registers them on ``/api/v1/``, ``urls``, ``templates/<app>/``, ``roles`` (its
permissions in the role table), ``demo`` (its part of the demonstration data), and permission specs in
``tests/<app>/permission_specs.py``. Every page that is not public is one of the shapes of ``core.views``.
``docs/development/adding-a-feature.md`` walks through it.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest
from django.urls import get_resolver

from threadline.core.views import (
    OrganisationPermissionMixin,
    ScopedActionView,
    ScopedDetailView,
    ScopedDownloadView,
    ScopedFormView,
    ScopedListView,
    ScopedTemplateView,
)

# The domain apps. A new area is added here when it is created (prevention and policy join on merge).
DOMAIN_APPS = ["screening", "cases", "online", "insights", "prevention", "policy"]

# Parts of the skeleton an app is still waiting for, as (app, part). Each is an expected failure that must
# fail: once the part arrives the test passes unexpectedly, which fails the run until the entry is removed.
# "scoped shapes": policy's pages move onto ScopedFormView / ScopedActionView in another branch (issue #17).
PENDING: set[tuple[str, str]] = set()

# The URL namespaces of each app's pages (prevention's pupils' survey has its own, ``survey:``).
NAMESPACES = {"prevention": ("prevention", "survey")}

# Pages anyone may open (no sign-in, no organisation), as (namespace, name): published, protected figures only,
# and the anonymous pupils' survey (a code from the facilitator, no account, nothing identifying kept).
PUBLIC_VIEWS = {
    ("insights", "public"),
    ("insights", "public_release_csv"),
    ("insights", "public_synthetic_csv"),
    ("prevention", "public"),
    ("survey", "start"),
    ("survey", "code"),
    ("survey", "answer"),
    ("survey", "thanks"),
}

# The shapes of ``core.views`` every page that is not public is built on.
SHAPES = (ScopedListView, ScopedDetailView, ScopedTemplateView, ScopedFormView, ScopedActionView, ScopedDownloadView)

# Scoped pages on none of the shapes, each with its reason. Keep it short: a new page uses a shape.
UNSHAPED = {
    # A GET that only redirects to the step where the worker left off (or the review, or the result): it has no
    # page, form, action or file of its own, so no shape fits better than the permission mixin.
    ("screening", "resume"),
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
    assert {part for _app, part in PENDING} <= {*CHECKS, "no guarded imports", "scoped shapes"}


def _views(app: str):
    """``(namespace, name, view class)`` of each of the app's pages."""
    namespaces = NAMESPACES.get(app, (app,))
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace in namespaces:
            for view in pattern.url_patterns:
                yield namespace, view.name, getattr(view.callback, "view_class", None)


def _pending(app: str, part: str):
    return [pytest.mark.xfail(strict=True, reason="arrives on merge")] if (app, part) in PENDING else []


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_page_is_a_scoped_view(app):
    """A page declares its permission and gets its organisation scoping from ``core.views`` (deny by
    default); only the published pages listed in ``PUBLIC_VIEWS`` are open."""
    views = list(_views(app))
    assert views, f"no pages found for {app}"
    unscoped = [
        f"{namespace}:{name}"
        for namespace, name, cls in views
        if (namespace, name) not in PUBLIC_VIEWS and not (cls and issubclass(cls, OrganisationPermissionMixin))
    ]
    assert unscoped == []


@pytest.mark.parametrize("app", [pytest.param(app, marks=_pending(app, "scoped shapes")) for app in DOMAIN_APPS])
def test_every_page_is_built_on_a_core_shape(app):
    """Not merely the mixin: a list, a detail, a page, a form, an action or a download of ``core.views``, so a
    page's permission, scoping, refusals and redirects work the same everywhere (``UNSHAPED`` names the few
    exceptions, with their reason)."""
    unshaped = [
        f"{namespace}:{name} ({cls.__name__ if cls else 'a function'})"
        for namespace, name, cls in _views(app)
        if (namespace, name) not in PUBLIC_VIEWS | UNSHAPED and not (cls and issubclass(cls, SHAPES))
    ]
    assert unshaped == [], "build these pages on a shape of core.views (test_app_shape.py)"


def test_the_public_and_unshaped_lists_name_real_pages():
    """A stale entry would let a future page of that name through unchecked; a public page needs no sign-in."""
    pages = {(namespace, name): cls for app in DOMAIN_APPS for namespace, name, cls in _views(app)}
    assert pages.keys() >= PUBLIC_VIEWS | UNSHAPED
    assert [page for page in PUBLIC_VIEWS if issubclass(pages[page], OrganisationPermissionMixin)] == []
    assert [page for page in UNSHAPED if issubclass(pages[page], SHAPES)] == []


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
