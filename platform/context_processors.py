"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """The current commune (``None`` on the platform host) and the platform's public URL."""
    return {
        "commune": getattr(request, "commune", None),
        "platform_url": settings.KOMMUNAL_PUBLIC_URL,
    }
