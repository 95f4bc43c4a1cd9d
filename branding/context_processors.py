"""Template context for every page on a commune's host."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from branding.middleware import portal_languages
from branding.models import Branding
from branding.selectors import brand_name, current_branding, request_branding
from branding.services import asset_path
from tenants.models import Commune


def brand_context(commune: Commune, branding: Branding | None = None) -> dict[str, Any]:
    """``branding``, ``brand_name`` and the ``brand_assets`` URLs of ``commune``; call it in its schema.

    Costs no query when the branding is given or cached and one when it is not.
    """
    current = branding or current_branding()
    return {
        "branding": current,
        "brand_name": brand_name(commune, current),
        "brand_assets": {name: asset_path(key) for name, key in current.assets.items()},
    }


def branding(request: HttpRequest) -> dict[str, Any]:
    """The branding of the host's commune (see ``brand_context``) and the ``portal_languages`` offered."""
    commune = getattr(request, "commune", None)
    if commune is None:
        return {"portal_languages": portal_languages(request)}
    return {**brand_context(commune, request_branding(request)), "portal_languages": portal_languages(request)}
