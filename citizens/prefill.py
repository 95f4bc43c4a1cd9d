"""Which form fields a citizen account can fill in: the claims of the last login, by field name.

The catalogue's forms use the same names for the same things (``vorname``, ``nachname``,
``geburtsdatum``, ``strasse``, ``plz``, ``ort``); the contact address is the portal's own field.
"""

from __future__ import annotations

from typing import Any

from citizens.models import Citizen

FIELD_CLAIMS = {
    "vorname": "given_name",
    "nachname": "family_name",
    "geburtsdatum": "birthdate",
    "strasse": "street_address",
    "plz": "postal_code",
    "ort": "locality",
}


def values(citizen: Citizen, field_names: list[str], email_field: str) -> dict[str, Any]:
    """The known values for the fields of one form (only non-empty ones)."""
    known = {name: getattr(citizen, claim) for name, claim in FIELD_CLAIMS.items() if name in field_names}
    known[email_field] = citizen.email
    return {name: value for name, value in known.items() if value}


def unchanged(known: dict[str, Any], submitted: dict[str, Any]) -> list[str]:
    """Fields whose submitted value is still the one taken from the account."""
    return [name for name, value in known.items() if submitted.get(name) == value]
