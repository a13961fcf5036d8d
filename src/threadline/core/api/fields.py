"""Related-object fields of the API, restricted like everything else.

A writable relation must name an object the token's user may *change* in the token's organisation: seeing an
investigation is not enough to label its networks. Anything else is "does not exist", whether it exists in
another organisation, is not visible to the user, or does not exist at all.
"""

from __future__ import annotations

from rest_framework import serializers

from threadline.core.api.permissions import api_organisation


class RestrictedRelatedField(serializers.PrimaryKeyRelatedField):
    """``RestrictedRelatedField(Investigation)``: an object of the token's organisation the user may change."""

    def __init__(self, model, *, action: str = "change", **kwargs):
        self.model = model
        self.action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context["request"]
        return self.model.objects.restrict(request.user, self.action, api_organisation(request))
