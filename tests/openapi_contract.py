"""Checks real API exchanges against the OpenAPI document the API publishes.

``ContractClient`` wraps the test API client: every query parameter it sends, every request body the endpoint
accepts and every response it receives (successes and refusals alike) is validated against the operation in the
generated document, and the operations it exercised are recorded so that a test can require all of them to be
driven. Objects are checked strictly (a field the document does not name is an error), because a field that
drifts silently is exactly what this catches; OpenAPI 3.0's ``nullable`` is translated to JSON Schema on the way.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

from jsonschema import Draft7Validator, FormatChecker

_SCHEMA_KEYS = ("type", "$ref", "allOf", "oneOf", "anyOf", "enum")
_TEST_FORMATS = {"application/json": "json", "multipart/form-data": "multipart"}  # APIClient's format names


def _strict(node):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` as a null type, objects closed to undocumented fields."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items()}
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def untyped_properties(document: dict) -> list[str]:
    """``Component.field`` of every property the document gives no type (a client cannot know its shape)."""
    found = []
    for name, component in document["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not any(key in spec for key in _SCHEMA_KEYS):
                found.append(f"{name}.{field}")
    return found


class Contract:
    def __init__(self, document: dict):
        self.document = document
        self.components = _strict(document["components"])
        self.operations: dict[tuple[str, str], dict] = {}
        self._patterns: list[tuple[re.Pattern, str]] = []
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if method != "parameters":
                    self.operations[(method.upper(), template)] = operation
            regex = re.sub(r"\{[^}]+\}", r"[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
            self._patterns.append((re.compile(f"^{regex}$"), template))

    def template(self, path: str) -> str:
        matches = [template for pattern, template in self._patterns if pattern.match(path)]
        assert matches, f"{path} is not in the OpenAPI document"
        return min(matches, key=lambda t: t.count("{"))  # a literal segment wins over a parameter

    def validate(self, schema: dict, instance, where: str) -> None:
        validator = Draft7Validator(
            {"components": self.components, "allOf": [_strict(schema)]}, format_checker=FormatChecker()
        )
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, f"{where}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:5]
        )

    def check(self, exchange: dict) -> tuple[str, str]:
        """``exchange``: method, path, query, body (JSON, or None), media (request type), status, content_type,
        payload (the decoded JSON response, or None)."""
        method, template = exchange["method"], self.template(exchange["path"])
        operation = self.operations.get((method, template))
        assert operation is not None, f"{method} {template} is not documented"
        where = f"{method} {template}"
        documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        query = set(exchange["query"])
        assert query <= documented, f"{where}: undocumented query parameters {sorted(query - documented)}"
        if exchange["media"]:
            content = operation.get("requestBody", {}).get("content", {})
            assert exchange["media"] in content, f"{where}: takes no documented {exchange['media']} body"
            # a body the endpoint accepted must be one the document allows (a refused one may be anything)
            if exchange["media"] == "application/json" and 200 <= exchange["status"] < 300:
                self.validate(content["application/json"]["schema"], exchange["body"], f"{where} request")
        status = exchange["status"]
        response = operation["responses"].get(str(status))
        assert response is not None, f"{where}: status {status} is not documented"
        media = exchange["content_type"].split(";")[0].strip()
        content = response.get("content", {})
        if exchange["payload"] is None and not content:
            return method, template
        assert media in content, f"{where}: {status} answers {media}, documented {sorted(content)}"
        if media == "application/json":
            self.validate(content[media]["schema"], exchange["payload"], f"{where} response {status}")
        return method, template


class ContractClient:
    """An API test client whose every exchange is checked against ``contract``; ``seen`` lists operations run."""

    def __init__(self, api, contract: Contract):
        self.api = api
        self.contract = contract
        self.seen: set[tuple[str, str]] = set()

    def _send(self, method: str, url: str, body=None, expect: int | None = None, multipart: bool = False):
        parts = urlsplit(url)
        send = getattr(self.api, method.lower())
        media = None if body is None else ("multipart/form-data" if multipart else "application/json")
        response = send(url) if media is None else send(url, body, format=_TEST_FORMATS[media])
        assert expect is None or response.status_code == expect, (response.status_code, response.content[:400])
        content_type = response.get("Content-Type", "")
        is_json = "json" in content_type and not getattr(response, "streaming", False)
        exchange = {
            "method": method,
            "path": parts.path,
            "query": dict(parse_qsl(parts.query, keep_blank_values=True)),
            "body": body,
            "media": media,
            "status": response.status_code,
            "content_type": content_type,
            "payload": json.loads(response.content) if is_json and response.content else None,
        }
        self.seen.add(self.contract.check(exchange))
        return response

    def get(self, url, expect: int | None = 200):
        return self._send("GET", url, expect=expect)

    def post(self, url, body, expect: int | None = 201, multipart: bool = False):
        return self._send("POST", url, body, expect, multipart)

    def put(self, url, body, expect: int | None = 200):
        return self._send("PUT", url, body, expect)

    def patch(self, url, body, expect: int | None = 200):
        return self._send("PATCH", url, body, expect)

    def delete(self, url, expect: int | None = 204):
        return self._send("DELETE", url, expect=expect)
