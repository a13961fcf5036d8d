"""Organisation scoping and permissions live in the queryset: deny by default, applied once.

Every organisation-owned model uses ``RestrictedQuerySet`` and names the path to its organisation in
``organisation_field``. ``restrict(user, action, organisation)`` returns only the rows of organisations
where the user's role grants ``<app_label>.<action>_<model_name>``; anything else returns nothing.

A lookup of one object (``get``: detail pages, API detail endpoints, related-object fields) that the
restriction refuses is audited as ``denied``: the object exists but belongs to an organisation where the user
may not act on it. The requester still gets "does not exist"; the entry goes to the owning organisation's log
(never the requester's, where an administrator could read it back), once per object per request. Core does not
import the audit app: it reports the refusal through ``threadline.core.auditing``, which the audit app serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from threadline.core import auditing
from threadline.core.permissions import organisations_granting


@dataclass(frozen=True)
class _Restriction:
    """What ``restrict`` removed, kept on the restricted queryset to recognise a refused lookup."""

    unrestricted: models.QuerySet
    org_field: str
    allowed_org_ids: frozenset[int]


class RestrictedQuerySet(models.QuerySet):
    _restriction: _Restriction | None = None

    def restrict(self, user, action: str = "view", organisation=None) -> RestrictedQuerySet:
        model = self.model
        org_field = getattr(model, "organisation_field", "organisation")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        org_ids = organisations_granting(user, perm)
        if organisation is not None:
            org_id = getattr(organisation, "pk", organisation)
            org_ids = {org_id} & org_ids
        restricted = self.none() if not org_ids else self.filter(**{f"{org_field}__in": org_ids})
        restricted._restriction = _Restriction(self.all(), org_field, frozenset(org_ids))
        return restricted

    def _clone(self):
        clone = super()._clone()
        clone._restriction = self._restriction
        return clone

    def get(self, *args, **kwargs):
        try:
            return super().get(*args, **kwargs)
        except self.model.DoesNotExist:
            if self._restriction is not None:
                self._audit_refused(args, kwargs)
            raise

    def _audit_refused(self, args, kwargs) -> None:
        restriction = self._restriction
        found = restriction.unrestricted.filter(*args, **kwargs).values_list("pk", restriction.org_field)[:5]
        for pk, org_id in found:
            if org_id not in restriction.allowed_org_ids:
                meta = self.model._meta
                auditing.refused_read(
                    object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(pk), organisation_id=org_id
                )
