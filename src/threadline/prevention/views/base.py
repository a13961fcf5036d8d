"""The prevention pages' shared base view and helpers."""

from __future__ import annotations

from django.utils.translation import get_language
from django.views.generic import TemplateView

from threadline.core.permissions import has_perm
from threadline.core.views import OrganisationPermissionMixin


def _language() -> str:
    return (get_language() or "en").split("-")[0]


class PreventionView(OrganisationPermissionMixin, TemplateView):
    def perm(self, name: str) -> bool:
        return has_perm(self.request.user, name, self.request.organisation)

    def scoped(self, model, action: str = "view"):
        return model.objects.restrict(self.request.user, action, self.request.organisation)
