"""The OpenAPI document: every operation states its errors, headers and the scope it needs.

``AutoSchema`` adds the API key scope to each operation's description. The postprocessing hook
``add_api_conventions`` adds what the conventions in ``kommunal.api`` do to every operation:
problem+json error responses (the ``Problem`` component), ``ETag``/``If-None-Match`` and 304
on reads, ``Idempotency-Key`` with 409/422 on ``POST``, ``Retry-After`` on 429 and 503 (database
unavailable) and ``WWW-Authenticate`` on 401. Endpoints get all of it by existing; nothing to declare.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi

from kommunal.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE
from kommunal.api.scopes import required_scope

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem details document.",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "Identifies the kind of problem."},
        "title": {"type": "string", "description": "Short summary of the kind of problem."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong with this request."},
        "instance": {"type": "string", "nullable": True, "description": "The path of the request."},
        "errors": {
            "type": "array",
            "description": "For validation errors: one entry per invalid field.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

# status -> (description, example title, example detail, problem slug)
ERRORS: dict[int, tuple[str, str, str, str]] = {
    400: (
        "The request is malformed; `errors` names each invalid field.",
        "Invalid input",
        "The request has invalid fields; see 'errors'.",
        "validation-error",
    ),
    401: (
        "No valid credentials: the API key is missing, unknown, expired or revoked.",
        "Unauthorized",
        "Authentication credentials were not provided.",
        "not-authenticated",
    ),
    403: (
        "The credentials are valid but do not allow this (role or API key scope).",
        "Forbidden",
        "This API key lacks the scope 'requests:read'.",
        "scope-missing",
    ),
    404: ("No such resource (or no commune at this host).", "Not Found", "Not found.", "not-found"),
    406: (
        "The `Accept` header asks for a representation the API does not offer.",
        "Not Acceptable",
        "Could not satisfy the request Accept header.",
        "not-acceptable",
    ),
    409: (
        "A request with the same `Idempotency-Key` is still being processed, or it succeeded and its "
        "response held a secret, which is shown only once (`secret-shown-once`, with the created "
        "resource minus the secret in `resource`).",
        "Request in progress",
        "A request with this Idempotency-Key is still being processed; retry later.",
        "idempotency-key-in-progress",
    ),
    413: (
        "The request body is larger than the limit (1 MiB by default; `DATA_UPLOAD_MAX_MEMORY_SIZE`).",
        "Request too large",
        "The request body is larger than 1048576 bytes.",
        "request-too-large",
    ),
    415: (
        "The request body is not `application/json`.",
        "Unsupported Media Type",
        'Unsupported media type "text/plain" in request.',
        "unsupported-media-type",
    ),
    422: (
        "The `Idempotency-Key` was already used for a different request.",
        "Idempotency-Key reused",
        "This Idempotency-Key was already used for a different request.",
        "idempotency-key-reused",
    ),
    429: (
        "Too many requests from this caller; retry after `Retry-After` seconds.",
        "Too Many Requests",
        "Request was throttled. Expected available in 12 seconds.",
        "throttled",
    ),
    503: (
        "A service the platform needs (the database) is unavailable for a moment; nothing was done. "
        "Retry after `Retry-After` seconds.",
        "Service unavailable",
        "The service is unavailable for a moment and did not complete the request; please retry.",
        "service-unavailable",
    ),
}

IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An `ETag` from an earlier response: 304 without a body when nothing changed.",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A unique value (e.g. a UUID) per intended operation. Retrying with the same key and body "
        "returns the stored response for 24 hours instead of repeating the operation."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
ETAG_HEADER = {"description": "Weak validator of the representation.", "schema": {"type": "string"}}
REPLAYED_HEADER = {
    "description": "`true` when the response is a replay for a repeated `Idempotency-Key`.",
    "schema": {"type": "string", "enum": ["true"]},
}
HEADERS_BY_STATUS = {
    401: {"WWW-Authenticate": {"description": "The authentication scheme to use.", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}},
    503: {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}},
}
METHODS = ("get", "put", "patch", "delete", "post")
# Query parameters never contain NUL (a 400 naming the parameter); parameters with an enum,
# pattern or format are already narrower.
NO_NUL = "^[^\\u0000]*$"
FREE_TEXT_KEYS = {"enum", "pattern", "format"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the API key scope in each operation's description."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        scope = required_scope(self.view, self.method.upper())
        note = f"API keys need the scope `{scope}`." if scope else "Not available to API keys."
        operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
        return operation


def _problem_response(status: int) -> dict[str, Any]:
    description, title, detail, slug = ERRORS[status]
    example = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/api/v1/...",
    }
    if status == 400:
        example["errors"] = [{"field": "name", "message": "This field is required."}]
    response: dict[str, Any] = {
        "description": description,
        "content": {
            PROBLEM_CONTENT_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "examples": {slug: {"value": example, "summary": title}},
            }
        },
    }
    if status in HEADERS_BY_STATUS:
        response["headers"] = HEADERS_BY_STATUS[status]
    return response


def _applicable_errors(method: str, operation: dict[str, Any]) -> list[int]:
    statuses = [401, 403, 404, 406, 429, 503]
    if operation.get("parameters") or "requestBody" in operation or method == "post":
        statuses.append(400)
    if "requestBody" in operation:
        statuses += [413, 415]
    if method == "post":
        statuses += [409, 422]
    return sorted(statuses)


def add_api_conventions(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the shared conventions to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method in METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            statuses = _applicable_errors(method, operation)
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "query"
                    and schema.get("type") == "string"
                    and not FREE_TEXT_KEYS & set(schema)
                ):
                    schema["pattern"] = NO_NUL  # kommunal.input_guard refuses NUL in every parameter
            if method == "get":
                parameters.append(IF_NONE_MATCH)
            if method == "post":
                parameters.append(IDEMPOTENCY_KEY)
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.startswith("2"):
                    headers = response.setdefault("headers", {})
                    if method == "get":
                        headers["ETag"] = ETAG_HEADER
                    if method == "post":
                        headers["Idempotent-Replayed"] = REPLAYED_HEADER
            if method == "get":
                responses.setdefault("304", {"description": "Not modified since the `ETag` in `If-None-Match`."})
            for status in statuses:
                responses.setdefault(str(status), _problem_response(status))
            for status, response in responses.items():
                # Every error body is a problem document (kommunal.api.problems), whatever a view
                # declared; keep the view's own description of when it happens.
                if (
                    status[0] in "45"
                    and int(status) in ERRORS
                    and PROBLEM_CONTENT_TYPE not in response.get("content", {})
                ):
                    response["content"] = _problem_response(int(status))["content"]
                if status.isdigit() and int(status) in HEADERS_BY_STATUS:
                    response.setdefault("headers", HEADERS_BY_STATUS[int(status)])
    return result
