"""The API conventions every endpoint under ``/api/`` gets without doing anything.

- ``ETag`` (weak, of the body) on successful reads; ``If-None-Match`` answers 304.
- ``Idempotency-Key`` on ``POST`` (see ``kommunal.api.idempotency``).
- Unknown ``/api/`` addresses and unhandled errors answer with problem documents (503 with
  Retry-After while the database is unreachable).
- Query parameters with a NUL character are a 400 naming the parameter; a body larger than
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or too many form fields) is a 413 (400) problem document, never
  Django's HTML error page (bodies themselves are checked by ``kommunal.api.parsers``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _

from kommunal import input_guard
from kommunal.api.idempotency import HEADER, handle_idempotent
from kommunal.api.parsers import too_large_detail
from kommunal.api.problems import (
    DATABASE_UNAVAILABLE,
    PROBLEM_CONTENT_TYPE,
    not_found_response,
    problem_response,
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
    """Applies ETags, idempotency and problem documents to ``/api/``.

    Other paths only get the query parameter rule (no NUL), answered with a plain 400 sentence.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            bad = self._bad_parameter(request)
            if bad is not None:  # pages: the same rule, answered with a sentence
                return HttpResponseBadRequest(
                    _("The address contains a character that is not allowed (parameter “%(name)s”).")
                    % {"name": bad[0]},
                    content_type="text/plain; charset=utf-8",
                )
            return self.get_response(request)
        key = request.headers.get(HEADER)
        try:
            refused = self._refused_input(request)
            if refused is not None:
                return refused
            if request.method == "POST" and key is not None:
                response = handle_idempotent(request, key, self.get_response)
            else:
                response = self.get_response(request)
        except (RequestDataTooBig, TooManyFieldsSent) as error:  # query string or idempotency fingerprint
            return self._input_error(request, error)
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return not_found_response(request)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
            return self._conditional(request, response)
        return response

    @staticmethod
    def _bad_parameter(request: HttpRequest) -> tuple[str, str] | None:
        return input_guard.first_bad_parameter(
            (name, value) for name, values in request.GET.lists() for value in values
        )

    @staticmethod
    def _refused_input(request: HttpRequest) -> HttpResponse | None:
        """A problem document for a query parameter or declared body size the API never accepts."""
        bad = ApiConventionsMiddleware._bad_parameter(request)
        if bad is not None:
            name, message = bad
            return problem_response(
                request,
                400,
                "Invalid input",
                "The request has invalid fields; see 'errors'.",
                "validation-error",
                errors=[{"field": name, "message": message}],
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return ApiConventionsMiddleware._input_error(request, RequestDataTooBig())
        return None

    @staticmethod
    def _input_error(request: HttpRequest, error: Exception) -> HttpResponse:
        if isinstance(error, RequestDataTooBig):
            return problem_response(request, 413, "Request too large", too_large_detail(), "request-too-large")
        return problem_response(request, 400, "Bad request", str(error), "bad-request")

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
        if request.path.startswith(API_PREFIX) and isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
            return self._input_error(request, exception)
        if not request.path.startswith(API_PREFIX) or isinstance(
            exception, (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
        ):
            return None
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable in %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return server_error_response(request)
