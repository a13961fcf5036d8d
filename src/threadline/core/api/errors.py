"""API errors in one shape: {"errors": {field: [messages]}, "request_id": ...}. Never echoes submitted values."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from threadline.core import context


def exception_handler(exc, ctx):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, ctx)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        errors = {"non_field_errors": [str(data["detail"])]}
    elif isinstance(data, dict):
        errors = {key: [str(v) for v in (value if isinstance(value, list) else [value])] for key, value in data.items()}
    else:
        errors = {"non_field_errors": [str(v) for v in data]}
    if response.status_code == status.HTTP_404_NOT_FOUND:
        errors = {"non_field_errors": ["Not found."]}
    response.data = {"errors": errors, "request_id": context.current_request_id()}
    return response
