"""``ALLOWED_HOSTS`` that also admits the verified custom host of the current request.

Custom host names of communes (``service.zeitz.de``) are only known to the database. The routing
middleware looks the host up first; when it is a verified host of a commune it is admitted for
the rest of that request only. Every other host must match the static patterns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

verified_host: ContextVar[str | None] = ContextVar("verified_host", default=None)


class AllowedHosts(list[str]):
    """The static host patterns plus the host the routing middleware verified for this request."""

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        host = verified_host.get()
        if host:
            yield host


def url_for_host(host: str) -> str:
    """The absolute base URL of a host, with the development port where one is used."""
    from django.conf import settings

    port = f":{settings.KOMMUNAL_PORT}" if settings.KOMMUNAL_PORT else ""
    return f"{settings.KOMMUNAL_SCHEME}://{host}{port}"
