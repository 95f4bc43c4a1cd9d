"""Reading a commune's branding, cached per schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.http import HttpRequest
from django_tenants.utils import schema_context

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


def request_branding(request: HttpRequest) -> Branding:
    """``current_branding()`` fetched once per request: one cache round trip however often a page asks."""
    branding: Branding | None = getattr(request, "_branding", None)
    if branding is None:
        branding = current_branding()
        request._branding = branding  # type: ignore[attr-defined]
    return branding


def forget_cached_branding() -> None:
    """Drop the current schema's cached branding (called on save and again on commit)."""
    cache.delete(CACHE_KEY)


def brand_name(commune: Commune, branding: Branding | None = None) -> str:
    """The name the commune appears under towards citizens: its display name, else its registry name.

    Without ``branding`` it reads the commune's branding in the commune's own schema, whichever
    schema is current, so a mail never carries the name of the commune whose request ran before.
    Pages, titles and e-mails use it; only what the law asks to carry the official name (the
    Impressum) reads ``Commune.name`` itself.
    """
    if branding is None:
        with schema_context(commune.schema_name):
            branding = current_branding()
    return branding.display_name or commune.name
