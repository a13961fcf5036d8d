"""The demo that ``make run`` loads: organisations, one user per role, and each area's own demo data.

Areas add loaders with ``@demo_loader(order)``; each loader receives the demo organisations and must be
idempotent enough to run once on an empty database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

DEMO_DOMAIN = "example"  # reserved top-level domain (RFC 2606): never a real mailbox
DEMO_PASSWORD = "threadline-demo-password"  # noqa: S105 - synthetic demo accounts only
DEMO_ORGANISATIONS = [
    ("Harbour Child Protection Service", "harbour", "GB"),
    ("Northline Outreach", "northline", "FR"),
]


@dataclass
class DemoContext:
    organisations: dict[str, object]
    users: dict[str, object]
    seed: int = 2026


_loaders: list[tuple[int, str, Callable[[DemoContext], str | None]]] = []


def demo_loader(order: int, name: str):
    def decorator(func):
        _loaders.append((order, name, func))
        return func

    return decorator


def is_demo_email(email: str) -> bool:
    return email.lower().endswith("." + DEMO_DOMAIN)


def demo_email(role: str, slug: str) -> str:
    return f"{role.replace('_', '-')}@{slug}.{DEMO_DOMAIN}"


PLATFORM_EMAIL = f"platform@threadline.{DEMO_DOMAIN}"


def load_demo(*, progress: Callable[[str], None] | None = None) -> DemoContext:
    from threadline.accounts import services
    from threadline.accounts.models import Organisation, User
    from threadline.core.roles import ROLES

    orgs: dict[str, object] = {}
    users: dict[str, object] = {}
    with transaction.atomic():
        for name, slug, country in DEMO_ORGANISATIONS:
            org = Organisation.objects.filter(slug=slug).first() or services.organisation_create(
                name=name, slug=slug, country=country
            )
            orgs[slug] = org
            for role in ROLES:
                email = demo_email(role, slug)
                user = User.objects.filter(email=email).first() or services.user_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    organisation=org,
                    role=role,
                    display_name=f"Demo {ROLES[role].label}",
                )
                users[f"{slug}:{role}"] = user
        staff = User.objects.filter(email=PLATFORM_EMAIL).first()
        if staff is None:
            staff = User.objects.create_user(
                email=PLATFORM_EMAIL,
                password=DEMO_PASSWORD,
                display_name="Demo platform admin",
                is_staff=True,
            )
        users["platform"] = staff
    ctx = DemoContext(organisations=orgs, users=users)
    _import_area_loaders()
    for _order, name, loader in sorted(_loaders, key=lambda item: item[0]):
        if progress:
            progress(name)
        loader(ctx)
    return ctx


def _import_area_loaders() -> None:
    """Each Django app of Threadline may have a ``demo`` module that registers loaders."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("threadline.") and importlib.util.find_spec(f"{config.name}.demo"):
            importlib.import_module(f"{config.name}.demo")
