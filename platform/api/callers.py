"""Who is calling: one identity per API key, signed-in user or (anonymous) client address."""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.settings import api_settings


def client_address(meta: dict[str, Any]) -> str:
    """The client's address, honouring ``NUM_PROXIES`` like DRF's throttles do."""
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    remote = meta.get("REMOTE_ADDR", "")
    proxies = api_settings.NUM_PROXIES
    if proxies is not None and forwarded:
        if proxies == 0:
            return remote
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return remote


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
