"""Who may do what where. Every view, endpoint and queryset asks these functions; nothing else decides.

A user's roles are their active memberships of active organisations, read through ``user.memberships`` (each
with ``organisation_id`` and ``role``; ``accounts.Membership`` provides them), so this module needs no import
of the accounts app. What a role may do is the role table in ``threadline.core.roles``.
"""

from __future__ import annotations

from threadline.core.roles import ROLES, role_permissions


def active_roles(user) -> dict[int, str]:
    """Organisation id -> role key for the user's active memberships (cached on the user object)."""
    cached = getattr(user, "_tl_roles", None)
    if cached is None:
        cached = dict(
            user.memberships.filter(is_active=True, organisation__is_active=True).values_list("organisation_id", "role")
        )
        user._tl_roles = cached
    return cached


def forget_roles(user) -> None:
    if hasattr(user, "_tl_roles"):
        del user._tl_roles


def organisations_granting(user, perm: str) -> set[int]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return {org_id for org_id, role in active_roles(user).items() if perm in role_permissions(role)}


def has_perm(user, perm: str, organisation) -> bool:
    if organisation is None:
        return False
    return getattr(organisation, "pk", organisation) in organisations_granting(user, perm)


def role_in(user, organisation) -> str | None:
    if user is None or not user.is_authenticated or organisation is None:
        return None
    return active_roles(user).get(getattr(organisation, "pk", organisation))


def requires_mfa(user) -> bool:
    """A user whose role in any organisation can see identifying data must use a second factor."""
    if user.is_staff:
        return True
    return any(ROLES[role].requires_mfa for role in active_roles(user).values() if role in ROLES)
