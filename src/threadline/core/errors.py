"""How a refusal reaches the person: error pages that say what happened without revealing whether another
organisation's object exists, and the one helper every page uses to show a service's refusal (a
``ValidationError`` or ``PermissionDenied``) as messages or on a form, never echoing a submitted value.
The API's error shape is ``core.api.errors``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

Refusal = ValidationError | PermissionDenied


def permission_denied(request, exception=None):
    return render(request, "core/error.html", {"status": 403}, status=403)


def page_not_found(request, exception=None):
    return render(request, "core/error.html", {"status": 404}, status=404)


def server_error(request):
    return render(request, "core/error.html", {"status": 500}, status=500)


def error_messages(exc: Exception) -> list[str]:
    """The refusal's messages: a ``ValidationError``'s list, otherwise the exception's text."""
    return [str(message) for message in (getattr(exc, "messages", None) or [str(exc)])]


def error_text(exc: Exception) -> str:
    """The refusal as one sentence (for a single form field or message)."""
    return " ".join(error_messages(exc))


def show_errors(request, exc: Exception) -> None:
    """Each of the refusal's messages as an error message on the next page."""
    for message in error_messages(exc):
        messages.error(request, message)


def form_errors(form, exc: Exception) -> None:
    """Put a refusal on the form: a field's errors on that field (when the form has it), the rest on top."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))
