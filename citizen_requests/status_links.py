"""Status links for the citizen's e-mails: one click shows the status of exactly one request.

The link carries the tracking number and an access code, an HMAC (Django's ``Signer`` with the
``SECRET_KEY`` and a salt of its own) over the commune's schema and the tracking number. It cannot
be guessed, opens no other request and no request of another commune with the same number, and
keeps working after a key rotation as long as the old key is listed in ``SECRET_KEY_FALLBACKS``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.signing import BadSignature, Signer

from tenants.models import Commune

SALT = "citizen_requests.status-link"


def _signed_value(schema_name: str, tracking_number: str) -> str:
    return f"{schema_name}/{tracking_number}"


def access_code(schema_name: str, tracking_number: str) -> str:
    """The access code of the request ``tracking_number`` in the schema ``schema_name``."""
    return Signer(salt=SALT).signature(_signed_value(schema_name, tracking_number))


def is_valid(schema_name: str, tracking_number: str, code: str) -> bool:
    """Whether ``code`` is the access code of ``tracking_number`` in ``schema_name`` (constant time)."""
    signer = Signer(salt=SALT)
    try:
        signer.unsign(f"{_signed_value(schema_name, tracking_number)}{signer.sep}{code}")
    except BadSignature:
        return False
    return True


def status_path(schema_name: str, tracking_number: str) -> str:
    """The path of the status page that shows the request ``tracking_number`` of ``schema_name``."""
    query = urlencode({"tracking_number": tracking_number, "code": access_code(schema_name, tracking_number)})
    return f"/status/?{query}"


def status_url(commune: Commune, tracking_number: str) -> str:
    """The commune's status page, prefilled so that it shows the request ``tracking_number``."""
    return f"{commune.portal_url}{status_path(commune.schema_name, tracking_number)}"
