"""Views of the platform itself: health, the public landing page and the 400 page."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from kommunal.api.middleware import API_PREFIX
from kommunal.api.problems import problem_response
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
