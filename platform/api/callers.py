"""Who is calling: one identity per API key, signed-in user or (anonymous) client address."""

from __future__ import annotations

import hashlib
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


def credentials_fingerprint(request: Any) -> str:
    """A stable, non-reversible identity of the caller, for records keyed by caller.

    The ``Authorization`` header (an API key or operator token) when present, else the
    signed-in user, else the client address.
    """
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    user = getattr(request, "user", None)
    if authorization:
        identity = f"authorization:{authorization}"
    elif user is not None and user.is_authenticated:
        identity = f"user:{user.pk}"
    else:
        identity = f"address:{client_address(request.META)}"
    return hashlib.sha256(identity.encode()).hexdigest()
