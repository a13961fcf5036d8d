"""OpenAPI document extras: how the organisation token authenticates (imported from ``CoreConfig.ready``)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token tl_<prefix>_<secret>``, one user acting in one organisation."""

    target_class = "threadline.accounts.api.authentication.OrganisationTokenAuthentication"
    name = "organisationToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=self.target.keyword)


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal: messages by field ('non_field_errors' for the request as a whole), never the "
    "submitted values, and the request id to quote to an administrator.",
    "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "request_id": {"type": "string", "nullable": True},
    },
    "required": ["errors", "request_id"],
}
ERROR_STATUSES = {
    "400": "The request body or a query parameter is invalid.",
    "401": "No valid token.",
    "403": "The token's role may not do this (or the person's consent does not allow it).",
    "404": "No such object in the token's organisation.",
    "429": "Too many requests; retry later.",
}


def document_errors(result, generator, request, public):
    """Postprocessing hook: every operation documents the one error shape of ``core.api.errors`` for the
    statuses it can answer (400 only where it takes a body or query parameters; 404 on paths with an id and
    where a body names another object, such as a network of an investigation)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            has_body = "requestBody" in operation
            takes_input = has_body or any(p["in"] == "query" for p in operation.get("parameters", []))
            for code, description in ERROR_STATUSES.items():
                if (code == "400" and not takes_input) or (code == "404" and "{" not in path and not has_body):
                    continue
                operation["responses"].setdefault(code, {**ref, "description": description})
    return result
