"""Template context for every page on a commune's host."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from branding.middleware import portal_languages
from branding.selectors import request_branding
from branding.services import asset_path


def branding(request: HttpRequest) -> dict[str, Any]:
    """``branding``, its ``brand_assets`` URLs and the ``portal_languages`` offered on this host.

    Costs no query when the branding is cached and one when it is not.
    """
    commune = getattr(request, "commune", None)
    if commune is None:
        return {"portal_languages": portal_languages(request)}
    current = request_branding(request)
    return {
        "branding": current,
        "brand_name": current.display_name or commune.name,
        "brand_assets": {name: asset_path(key) for name, key in current.assets.items()},
        "portal_languages": portal_languages(request),
    }
