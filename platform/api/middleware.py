"""The API conventions every endpoint under ``/api/`` gets without doing anything.

- ``ETag`` (weak, of the body) on successful reads; ``If-None-Match`` answers 304.
- ``Idempotency-Key`` on ``POST`` (see ``kommunal.api.idempotency``).
- Unknown ``/api/`` addresses and unhandled errors answer with problem documents (503 with
  Retry-After while the database is unreachable).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from kommunal.api.idempotency import HEADER, handle_idempotent
from kommunal.api.problems import (
    DATABASE_UNAVAILABLE,
    PROBLEM_CONTENT_TYPE,
    not_found_response,
    server_error_response,
    unavailable_response,
)

logger = logging.getLogger("kommunal.api")

API_PREFIX = "/api/"


def weak_etag(content: bytes) -> str:
    """A weak validator of a response body."""
    return f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110, section 13.1.2): ``W/`` prefixes do not count."""
    candidates = parse_etags(if_none_match)
    opaque = etag.removeprefix("W/")
    return "*" in candidates or any(candidate.removeprefix("W/") == opaque for candidate in candidates)


class ApiConventionsMiddleware:
    """Applies ETags, idempotency and problem documents to ``/api/``; other paths pass through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = request.headers.get(HEADER)
        if request.method == "POST" and key is not None:
            response = handle_idempotent(request, key, self.get_response)
        else:
            response = self.get_response(request)
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return not_found_response(request)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
            return self._conditional(request, response)
        return response

    @staticmethod
    def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        etag = response.get("ETag") or weak_etag(response.content)
        response["ETag"] = etag
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-cache"
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and _matches(if_none_match, etag):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Cache-Control", "X-Request-ID"):
                if response.has_header(header):
                    not_modified[header] = response[header]
            return not_modified
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Unhandled errors under ``/api/``: logged with the request id, answered as a problem."""
        if not request.path.startswith(API_PREFIX) or isinstance(
            exception, (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
        ):
            return None
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable in %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return server_error_response(request)
