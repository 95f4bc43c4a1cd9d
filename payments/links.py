"""The citizen's payment link: a signed token of the tracking number (no login needed, not guessable)."""

from __future__ import annotations

from django.core import signing

SALT = "payments.pay"


def token(tracking_number: str) -> str:
    return signing.dumps(tracking_number, salt=SALT)


def tracking_number(value: str) -> str | None:
    """The tracking number the token was made for, or None for a forged or mangled token."""
    try:
        return str(signing.loads(value, salt=SALT))
    except signing.BadSignature:
        return None


def path(tracking_number_: str) -> str:
    return f"/zahlung/{token(tracking_number_)}/"
