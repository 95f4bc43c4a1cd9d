"""Reading a commune's branding, cached per schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache

from branding.models import Branding

if TYPE_CHECKING:
    from tenants.models import Commune

CACHE_KEY = "branding:v2"
CACHE_SECONDS = 60 * 60


def current_branding() -> Branding:
    """The current schema's branding (defaults when none was saved); at most one query.

    The cache key is prefixed with the schema name by ``django_tenants.cache.make_key``, so a
    commune never sees another commune's cached branding. ``branding.services`` invalidates it.
    """
    branding = cache.get(CACHE_KEY)
    if branding is None:
        branding = Branding.objects.filter(singleton=1).first() or Branding()
        cache.set(CACHE_KEY, branding, CACHE_SECONDS)
    return branding


def forget_cached_branding() -> None:
    """Drop the current schema's cached branding (called on save and again on commit)."""
    cache.delete(CACHE_KEY)


def brand_name(commune: Commune, branding: Branding | None = None) -> str:
    """The name the commune appears under: its display name, else its name from the registry.

    Call it in the commune's schema. Pages, titles and e-mails use it; only what the law asks to
    carry the official name (the Impressum) reads ``Commune.name`` itself.
    """
    return (branding or current_branding()).display_name or commune.name
