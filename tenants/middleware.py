"""Host routing: every request is served by exactly one commune's schema, or by the platform.

- The platform host (``KOMMUNAL_DOMAIN``) uses the public schema and ``PUBLIC_SCHEMA_URLCONF``.
- A verified host of an active commune uses that commune's schema and ``ROOT_URLCONF``.
- A suspended commune answers 503 (a page, or a problem document under ``/api/``), except for
  sign-in and its invoices.
- Any other host gets 404: never the platform's pages and never another commune.
- ``/health/`` is answered by the platform on every host, including the bare IP address a load
  balancer's health check sends, and without touching the registry first.

The host → commune answer comes from this process's routing cache (``tenants.routing``), so a
request of a commune usually costs no registry query; the schema switch costs at most one
``SET search_path`` (none when the connection already has that schema).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from kommunal.api.problems import problem_response
from kommunal.hosts import verified_host
from tenants import routing
from tenants.db import connection
from tenants.models import Commune

HEALTH_PATH = "/health/"
# A suspended commune's admins can still sign in and see (and pay) the invoices that led to the
# suspension; everything else of the commune answers 503.
OPEN_WHILE_SUSPENDED = ("/accounts/", "/verwaltung/rechnungen/", "/static/", "/i18n/")
SERVED_STATUSES = frozenset({Commune.Status.ACTIVE, Commune.Status.SUSPENDED})


class TenantRoutingMiddleware:
    """Pick the schema and URLconf from the host; must be the first middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        host, _port = split_domain_port(request.META.get("HTTP_HOST", request.META.get("SERVER_NAME", "")))
        host = host.lower().rstrip(".")
        request.commune = None  # type: ignore[attr-defined]
        if host == settings.KOMMUNAL_DOMAIN:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            return self.get_response(request)
        if request.path == HEALTH_PATH:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            return self._respond_for_host(request, host)

        route = routing.route_for_host(host) if host else None
        commune = route.commune() if route else None
        if commune is None or commune.status not in SERVED_STATUSES:
            return self._unknown_host(request)
        if commune.status == Commune.Status.SUSPENDED and not request.path.startswith(OPEN_WHILE_SUSPENDED):
            return self._suspended(request, commune)

        commune.domain_url = host
        request.tenant = request.commune = commune  # type: ignore[attr-defined]
        connection.set_tenant(commune)
        # The schema stays set until the next request resets it, so that Django's own request
        # logging (after the middleware returned) still names this commune.
        return self._respond_for_host(request, host)

    def _respond_for_host(self, request: HttpRequest, host: str) -> HttpResponse:
        """Serve the request with ``host`` admitted by ALLOWED_HOSTS for its duration only."""
        token = verified_host.set(host)
        try:
            return self.get_response(request)
        finally:
            verified_host.reset(token)

    @staticmethod
    def _unknown_host(request: HttpRequest) -> HttpResponse:
        with translation.override(translation.get_language_from_request(request)):
            if request.path.startswith("/api/"):
                return problem_response(
                    request, 404, _("Unknown host"), _("No commune answers at this address."), "unknown-host"
                )
            return render(request, "tenants/unknown_host.html", status=404)

    @staticmethod
    def _suspended(request: HttpRequest, commune: Commune) -> HttpResponse:
        # The answer keeps the commune's name and look and tells how to reach its office meanwhile.
        from branding.context_processors import brand_context

        with tenant_context(commune):
            context = {"suspended_commune": commune, **brand_context(commune)}
        with translation.override(translation.get_language_from_request(request)):
            if request.path.startswith("/api/"):
                response: HttpResponse = problem_response(
                    request,
                    503,
                    _("Service temporarily unavailable"),
                    _("The services of %(name)s are temporarily unavailable.") % {"name": context["brand_name"]},
                    "commune-suspended",
                )
            else:
                response = render(request, "tenants/suspended.html", context, status=503)
        response["Retry-After"] = "3600"
        return response
