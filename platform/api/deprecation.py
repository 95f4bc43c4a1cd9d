"""Announcing the end of an endpoint: ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and ``Link``.

Decorate a DRF view class or one of its handler methods::

    @deprecated(since=date(2026, 12, 1), sunset=date(2027, 6, 30), link="https://.../api.md#v2")
    class OldListView(generics.ListAPIView): ...

Every response of the endpoint then carries the headers and the document marks the operation
``deprecated``. The policy (how long a deprecated endpoint keeps working) is in docs/api.md.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.utils.http import http_date
from drf_spectacular.utils import extend_schema

T = TypeVar("T")


def deprecation_headers(*, since: date, sunset: date | None = None, link: str | None = None) -> dict[str, str]:
    """The headers announcing a deprecation on ``since`` and removal on ``sunset``."""
    headers = {"Deprecation": f"@{calendar.timegm(since.timetuple())}"}
    if sunset is not None:
        headers["Sunset"] = http_date(calendar.timegm(sunset.timetuple()))
    if link:
        headers["Link"] = f'<{link}>; rel="deprecation"; type="text/html"'
    return headers


def deprecated(*, since: date, sunset: date | None = None, link: str | None = None) -> Callable[[T], T]:
    """Mark a view class or handler method as deprecated (headers on every response + document)."""
    headers = deprecation_headers(since=since, sunset=sunset, link=link)

    def add_headers(response: Any) -> Any:
        for name, value in headers.items():
            response[name] = value
        return response

    def decorate(target: Any) -> Any:
        if isinstance(target, type):
            original = target.finalize_response  # type: ignore[attr-defined]

            def finalize_response(self: Any, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
                return add_headers(original(self, request, response, *args, **kwargs))

            target.finalize_response = finalize_response  # type: ignore[attr-defined]
            return extend_schema(deprecated=True)(target)

        @functools.wraps(target)
        def handler(*args: Any, **kwargs: Any) -> Any:
            return add_headers(target(*args, **kwargs))

        return extend_schema(deprecated=True)(handler)

    return decorate
