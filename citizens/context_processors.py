"""The logged-in citizen (if any) for the portal's header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from citizens.session import current_login


def citizen(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return {"citizen_login": None}
    return {"citizen_login": current_login(request)}
