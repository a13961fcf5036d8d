"""What the prevention pages share on top of the core shapes: permission flags for templates, and forms whose
services refuse with ``PreventionError``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import get_language

from threadline.core.permissions import has_perm
from threadline.core.views import ScopedFormView
from threadline.prevention.services import PreventionError


def _language() -> str:
    return (get_language() or "en").split("-")[0]


class PermsMixin:
    """``perm(name)``: whether the user holds ``name`` here (to show or hide a button; the view it leads to
    checks again)."""

    def perm(self, name: str) -> bool:
        return has_perm(self.request.user, name, self.request.organisation)


class PreventionFormView(PermsMixin, ScopedFormView):
    """A prevention form. The services refuse with ``PreventionError``: shown on the field it names when the form
    has it (``refusal_on_field``), otherwise on top. A page that anyone with ``permission_required`` may read
    can ask for ``submit_permission_required`` to be submitted (403 otherwise, as the page always answered)."""

    refusals = (PreventionError, ValidationError, PermissionDenied)
    refusal_on_field = True
    submit_permission_required: str | None = None

    def post(self, request, *args, **kwargs):
        if self.submit_permission_required and not self.perm(self.submit_permission_required):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def refused(self, form, exc: Exception) -> None:
        if not isinstance(exc, PreventionError):
            return super().refused(form, exc)
        field = exc.field if self.refusal_on_field and exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None
