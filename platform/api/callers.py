"""Who is calling from where: the client address behind the configured proxies."""

from __future__ import annotations

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
