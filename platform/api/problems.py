"""Errors as RFC 9457 problem details (``application/problem+json``) on every API endpoint."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://kommunal.readthedocs.io/problems/"
# Errors of a database that is down, restarting or failing over: answered 503, the client retries.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def problem_body(status: int, title: str, detail: str, slug: str, **extra: Any) -> dict[str, Any]:
    """Build a problem details document; ``slug`` names the problem type under PROBLEM_TYPE_BASE."""
    return {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}


def problem_response(
    request: HttpRequest, status: int, title: str, detail: str, slug: str, **extra: Any
) -> JsonResponse:
    """A plain Django response carrying a problem document (for middleware outside DRF)."""
    body = problem_body(status, title, detail, slug, instance=request.path, **extra)
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def server_error_response(request: HttpRequest) -> JsonResponse:
    """500 as a problem document; the details stay in the log (by request id), never in the body."""
    return problem_response(
        request,
        500,
        "Internal server error",
        "The server failed to process the request; quote the X-Request-ID header when reporting it.",
        "server-error",
    )


def unavailable_response(request: HttpRequest, retry_after: int = RETRY_AFTER_SECONDS) -> JsonResponse:
    """503 while a service the platform needs (the database) cannot be reached; safe to retry."""
    response = problem_response(
        request,
        503,
        "Service unavailable",
        "The service is unavailable for a moment and did not complete the request; please retry.",
        "service-unavailable",
    )
    response["Retry-After"] = str(retry_after)
    return response


def not_found_response(request: HttpRequest) -> JsonResponse:
    """404 for an ``/api/`` address that names no endpoint."""
    return problem_response(request, 404, "Not found", "There is no endpoint at this address.", "not-found")


def _field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested validation errors into ``[{"field": "a.b", "message": ...}]``."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            errors += _field_errors(value, "" if key == "non_field_errors" else name)
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or "non_field_errors", "message": str(item)} for item in detail]
        errors = []
        for index, item in enumerate(detail):
            errors += _field_errors(item, f"{prefix}[{index}]" if prefix else str(index))
        return errors
    return [{"field": prefix or "non_field_errors", "message": str(detail)}]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: the usual status codes, with a problem details body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.path if request is not None else None
    if isinstance(exc, exceptions.ValidationError):
        body = problem_body(
            response.status_code,
            "Invalid input",
            "The request has invalid fields; see 'errors'.",
            "validation-error",
            errors=_field_errors(exc.detail),
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = problem_body(response.status_code, response.status_text, str(detail), str(code).replace("_", "-"))
    body["instance"] = instance
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
