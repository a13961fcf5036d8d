from __future__ import annotations

from threadline.core.permissions import role_in
from threadline.core.roles import ROLES


def organisation(request):
    org = getattr(request, "organisation", None)
    user = getattr(request, "user", None)
    role_key = role_in(user, org) if org is not None else None
    return {
        "current_organisation": org,
        "current_role": ROLES.get(role_key) if role_key else None,
        "user_organisations": getattr(request, "user_organisations", []),
    }
