"""Signatures of webhook deliveries: ``Kommunal-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``.

The HMAC covers ``"<t>.<body>"`` with the subscription's secret, so a receiver can check both
that the body came from Kommunal and that it is recent (reject ``t`` older than five minutes).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Kommunal-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int) -> bool:
    """Whether ``header`` is a valid, recent signature of ``body`` (what receivers implement)."""
    try:
        fields = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={fields.get('v1', '')}")
