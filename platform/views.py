"""Views of the platform itself: health and the public landing page."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
    """The platform's home page on the public host."""
    return render(request, "kommunal/landing.html", {"communes": selectors.active_communes()[:12]})
