"""SSRF guard: webhooks may only target public addresses (unless settings allow private ones).

The host name is resolved once, every address it resolves to is checked, and the delivery
connects to one of exactly those addresses (``open_connection``): a second DNS answer (DNS
rebinding, a TTL of zero) can never redirect a checked delivery to an internal address. TLS
still verifies the certificate against the host name (SNI), and the ``Host`` header names it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges whose last 32 bits are an IPv4 address that the network translates to (NAT64,
# RFC 6052 / RFC 8215) or that IPv4-compatible addresses (::a.b.c.d, RFC 4291) denote.
_EMBEDDING_LAST_32_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)


def private_targets_allowed() -> bool:
    """Loopback and private addresses are allowed in development and tests only."""
    return bool(settings.DEBUG or settings.KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped, 6to4, Teredo, NAT64 or IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _EMBEDDING_LAST_32_BITS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` is a global unicast address, also when it is an IPv4 address in IPv6 form."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class WebhookTarget:
    """A checked webhook address: where to connect (``addresses``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]

    def open_connection(self, timeout: float) -> http.client.HTTPConnection:
        """An HTTP(S) connection to the checked addresses only; TLS verifies the certificate for ``host``."""
        connection: http.client.HTTPConnection
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        connection._create_connection = self._connect_checked  # type: ignore[attr-defined]
        return connection

    def _connect_checked(self, address: tuple[str, int], timeout: Any, source_address: Any = None) -> socket.socket:
        error: OSError = OSError(f"No address of {self.host} accepted a connection")
        for ip in self.addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout, source_address)
            except OSError as failure:
                error = failure
        raise error


def resolve_webhook_target(url: str) -> WebhookTarget:
    """Check ``url`` and resolve its host once; raise ``ValidationError`` unless it may be called.

    Only https (plus http where private targets are allowed), and in production every address
    the name resolves to must be public.
    """
    parts = _checked_parts(url)
    allow_private = private_targets_allowed()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise ValidationError(_("The host name of this address cannot be resolved.")) from None
    addresses = tuple(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not allow_private and not all(is_public(ipaddress.ip_address(address)) for address in addresses):
        raise ValidationError(_("Webhooks cannot be sent to private, loopback or reserved addresses."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(parts.scheme, str(parts.hostname), port, path, addresses)


def _checked_parts(url: str) -> SplitResult:
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if private_targets_allowed() else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise ValidationError(_("Enter an https:// address."))
    return parts


def check_webhook_url(url: str) -> None:
    """Raise ``ValidationError`` unless ``url`` is http(s) and resolves to public addresses only.

    Checked when a subscription is saved (names are not resolved where private targets are
    allowed); each delivery resolves and checks again and connects to what it checked
    (``resolve_webhook_target``).
    """
    if private_targets_allowed():
        _checked_parts(url)
    else:
        resolve_webhook_target(url)
