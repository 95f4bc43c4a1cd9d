"""Who is calling from where: the client address behind the configured proxies."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_address(meta: dict[str, Any]) -> str:
    """The client's address: the socket's, or with ``KOMMUNAL_PROXY_HOPS`` = n trusted proxies in
    front, the n-th address from the right of ``X-Forwarded-For``.

    Each proxy appends the address it was called from, so the n-th entry from the right is what
    the outermost trusted proxy (the load balancer) saw. Entries further left are written by the
    client and never trusted, else anyone could pick a fresh address per request. A request that
    carries fewer entries than hops did not come through the proxies: its socket address counts.
    Every per-client limit (login lockout, API throttles, signup, idempotency) uses this.
    """
    hops = int(settings.KOMMUNAL_PROXY_HOPS)
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return str(meta.get("REMOTE_ADDR", ""))


def request_client_address(request: Any) -> str:
    """``client_address`` of a request (the callable django-axes and the signup limits use)."""
    return client_address(request.META)
