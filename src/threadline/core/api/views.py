"""Base API views: queryset restricted to the token's organisation, permission from the role table."""

from __future__ import annotations

from rest_framework import viewsets

from threadline.core.api.permissions import METHOD_ACTIONS, api_organisation


class RestrictedViewSetMixin:
    def get_queryset(self):
        action = METHOD_ACTIONS.get(self.request.method, "view")
        return super().get_queryset().restrict(self.request.user, action, api_organisation(self.request))

    @property
    def organisation(self):
        return api_organisation(self.request)


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
