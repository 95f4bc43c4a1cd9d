"""The baseline of the routing rows in ``bench/fleet.py``: a commune's pages without tenant routing.

``DJANGO_SETTINGS_MODULE=bench.without_routing`` is the platform's settings with the routing
middleware replaced by one that serves every request as the commune of ``BENCH_FIXED_HOST``: the
commune is loaded once per process and the connection set to its schema once, so no host look-up,
no NOTIFY poll and no schema switch happens per request. The same view on a routed commune host
then differs from this only by what routing costs.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kommunal.settings import *  # noqa: F403
from kommunal.settings import MIDDLEWARE, ROOT_URLCONF

FIXED_HOST = os.environ.get("BENCH_FIXED_HOST", "")
MIDDLEWARE = [
    "bench.without_routing.FixedCommuneMiddleware" if name == "tenants.middleware.TenantRoutingMiddleware" else name
    for name in MIDDLEWARE
]


class FixedCommuneMiddleware:
    """Every request is the commune of ``BENCH_FIXED_HOST``, looked up once per process."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from tenants.models import Domain

        self.get_response = get_response
        self.commune = Domain.objects.select_related("tenant").get(domain=FIXED_HOST).tenant
        self.commune.domain_url = FIXED_HOST

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tenants.db import connection

        if connection.schema_name != self.commune.schema_name:
            connection.set_tenant(self.commune)
        request.urlconf = ROOT_URLCONF  # type: ignore[attr-defined]
        request.tenant = request.commune = self.commune  # type: ignore[attr-defined]
        return self.get_response(request)
