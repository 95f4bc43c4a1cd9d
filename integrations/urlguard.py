"""SSRF guard: webhooks may only target public addresses (unless settings allow private ones)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def private_targets_allowed() -> bool:
    """Loopback and private addresses are allowed in development and tests only."""
    return bool(settings.DEBUG or settings.KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE)


def check_webhook_url(url: str) -> None:
    """Raise ``ValidationError`` unless ``url`` is http(s) and resolves to public addresses only.

    Checked when a subscription is saved and again before each delivery (the name may have been
    re-pointed since).
    """
    parts = urlsplit(url)
    allow_private = private_targets_allowed()
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise ValidationError(_("Enter an https:// address."))
    if allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError):
        raise ValidationError(_("The host name of this address cannot be resolved.")) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise ValidationError(_("Webhooks cannot be sent to private, loopback or reserved addresses."))
