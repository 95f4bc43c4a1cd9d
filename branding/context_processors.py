"""Template context for every page on a commune's host."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from branding.selectors import current_branding
from branding.services import asset_path


def branding(request: HttpRequest) -> dict[str, Any]:
    """``branding`` and its ``brand_assets`` URLs on a commune's host; nothing on the platform host.

    Costs no query when the branding is cached and one when it is not.
    """
    commune = getattr(request, "commune", None)
    if commune is None:
        return {}
    current = current_branding()
    return {
        "branding": current,
        "brand_name": current.display_name or commune.name,
        "brand_assets": {name: asset_path(key) for name, key in current.assets.items()},
    }
