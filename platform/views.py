"""Views of the platform itself: health, the landing page, the 400 page and the server error handler."""

from __future__ import annotations

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from kommunal.api.middleware import API_PREFIX
from kommunal.api.problems import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    problem_response,
    server_error_response,
    unavailable_response,
)
from tenants import selectors


def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every schema is migrated, 503 otherwise.

    The schema check is one query over the tenant registry (see
    ``tenants.selectors.schemas_behind_migrations``), so it costs the same for five communes
    as for ten thousand.
    """
    try:
        behind = selectors.count_schemas_behind_migrations()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    body = {
        "status": "ok" if not behind else "degraded",
        "database": "ok",
        "migrations": {
            "up_to_date": behind == 0,
            "schemas_behind": behind,
        },
    }
    return JsonResponse(body, status=200 if behind == 0 else 503)


def landing(request: HttpRequest) -> HttpResponse:
    """The platform's home page: signing a commune up, and finding a commune's portal by search."""
    query = request.GET.get("q", "")[:100]
    context = {
        "query": query,
        "results": selectors.search_active_communes(query),
        "live": selectors.active_communes().count(),
    }
    return render(request, "kommunal/landing.html", context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: what was wrong when Django refused a request before any view could say it.

    Django refuses an upload form whose part headers exceed 1 KiB (a file name of some hundred
    characters) while reading it, before the form could name the field; this says so.
    """
    if isinstance(exception, MultiPartParserError):
        message = _(
            "The uploaded file's name is too long. Please rename the file (at most 200 characters) and upload it again."
        )
    else:
        message = _("The request could not be understood. Please go back and try again.")
    if request.path.startswith(API_PREFIX):
        return problem_response(request, 400, "Bad request", message, "bad-request")
    return render(request, "400.html", {"message": message}, status=400)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: a problem document under ``/api/``, else a page that needs no database."""
    if request.path.startswith("/api/"):
        return unavailable_response(request)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: an unreachable database answers 503 (nothing to fix, retry), the rest 500.

    Django calls it while handling the exception, also for errors raised in middleware (the
    tenant lookup is the first query of every request), so ``sys.exc_info()`` names the cause.
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    if request.path.startswith("/api/"):
        return server_error_response(request)
    return defaults.server_error(request)
