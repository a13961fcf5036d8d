"""Organisation scoping and permissions live in the queryset: deny by default, applied once.

Every organisation-owned model uses ``RestrictedQuerySet`` and names the path to its organisation in
``organisation_field``. ``restrict(user, action, organisation)`` returns only the rows of organisations
where the user's role grants ``<app_label>.<action>_<model_name>``; anything else returns nothing.
"""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view", organisation=None) -> RestrictedQuerySet:
        from threadline.accounts.permissions import organisations_granting

        model = self.model
        org_field = getattr(model, "organisation_field", "organisation")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        org_ids = organisations_granting(user, perm)
        if organisation is not None:
            org_id = getattr(organisation, "pk", organisation)
            org_ids = {org_id} & org_ids
        if not org_ids:
            return self.none()
        return self.filter(**{f"{org_field}__in": org_ids})
