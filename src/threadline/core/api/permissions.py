"""API permissions: the same role table and restricted querysets as the pages, scoped to the token's organisation."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from threadline.core.permissions import has_perm

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def api_organisation(request):
    token = getattr(request, "auth", None)
    return getattr(token, "organisation", None)


class RestrictedModelPermission(BasePermission):
    """Deny by default: the view's model permission for the method, in the token's organisation."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        organisation = api_organisation(request)
        perm = getattr(view, "permission_required", None)
        if perm is None:
            queryset = getattr(view, "queryset", None)
            if queryset is None:
                return False
            action = getattr(view, "action_map_override", {}).get(request.method) or METHOD_ACTIONS.get(request.method)
            meta = queryset.model._meta
            perm = f"{meta.app_label}.{action}_{meta.model_name}"
        return has_perm(request.user, perm, organisation)
