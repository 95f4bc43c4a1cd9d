"""Trust levels of a citizen login (eIDAS levels of assurance), from the ``acr`` claim."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrustLevel(models.TextChoices):
    BASIC = "basic", _("basic")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


RANK = {TrustLevel.BASIC: 1, TrustLevel.SUBSTANTIAL: 2, TrustLevel.HIGH: 3}

# ``acr`` values of eIDAS brokers (BundID via Keycloak), the older STORK levels and plain names.
ACR_LEVELS = {
    "http://eidas.europa.eu/loa/low": TrustLevel.BASIC,
    "http://eidas.europa.eu/loa/substantial": TrustLevel.SUBSTANTIAL,
    "http://eidas.europa.eu/loa/high": TrustLevel.HIGH,
    "stork-qaa-level-1": TrustLevel.BASIC,
    "stork-qaa-level-2": TrustLevel.BASIC,
    "stork-qaa-level-3": TrustLevel.SUBSTANTIAL,
    "stork-qaa-level-4": TrustLevel.HIGH,
    "low": TrustLevel.BASIC,
    "basic": TrustLevel.BASIC,
    "normal": TrustLevel.BASIC,
    "substantial": TrustLevel.SUBSTANTIAL,
    "high": TrustLevel.HIGH,
}


def from_acr(acr: object) -> TrustLevel:
    """The trust level an ``acr`` (or ``eidas``) claim states; anything unknown counts as basic."""
    return ACR_LEVELS.get(str(acr or "").strip().lower(), TrustLevel.BASIC)


def satisfies(level: str, required: str) -> bool:
    """Whether a login at ``level`` may use a service that requires ``required`` (blank: anyone)."""
    if not required:
        return True
    return RANK.get(TrustLevel(level), 0) >= RANK[TrustLevel(required)] if level in TrustLevel.values else False
