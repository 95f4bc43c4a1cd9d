"""Whole-page cache of the portal's public pages, per commune schema and language.

Only anonymous ``GET``/``HEAD`` requests without a query string are served from or stored in the
cache: a visitor with a session (signed in, or carrying messages) always gets a fresh page. A
stored page keeps neither cookies nor headers of the response it came from, and its CSRF token
(the language switch is a form) and the CSP nonce of its style block are replaced by the
visitor's own on every hit.

Keys name the schema and two generations: the commune's (bumped when its activations, branding
or registry entry change) and the catalogue's (bumped when a shared service or version changes).
A bump makes every older page of that scope unreachable; the cache drops them by age or size.
The pages live in the ``pages`` cache: Redis in production, a bounded LocMem per process
otherwise.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from kommunal.cache import CacheUnavailable
from tenants.db import connection

CATALOG_GENERATION_KEY = "catalog:generation"
CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__kommunal_csrf_token__"
# The Content-Security-Policy nonce of inline style blocks is fresh per response, like the token.
NONCE_VALUE = re.compile(rb'( nonce=")[^"]*(")')
NONCE_PLACEHOLDER = b"__kommunal_csp_nonce__"
HEADER = "X-Kommunal-Page-Cache"

View = Callable[..., HttpResponse]


def _pages() -> Any:
    return caches["pages"]


def _schema_generation_key(schema_name: str) -> str:
    return f"schema:{schema_name}:generation"


def _generations(schema_name: str) -> tuple[str, str]:
    """The current (commune, catalogue) generations; one cache round trip when both exist."""
    keys = [_schema_generation_key(schema_name), CATALOG_GENERATION_KEY]
    found = _pages().get_many(keys)
    for key in keys:
        if key not in found:
            _pages().add(key, uuid.uuid4().hex, timeout=None)
            found[key] = _pages().get(key)
    return str(found[keys[0]]), str(found[keys[1]])


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and getattr(request, "commune", None) is not None
    )


def cache_public_page(view: View) -> View:
    """Serve an anonymous visitor's ``view`` from the page cache of the current commune."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        schema_name = connection.schema_name
        try:
            commune_generation, catalog_generation = _generations(schema_name)
        except CacheUnavailable:  # no page cache while Redis is unreachable: render every page
            return view(request, *args, **kwargs)
        language = translation.get_language() or settings.LANGUAGE_CODE
        key = f"page:{schema_name}:{commune_generation}:{catalog_generation}:{language}:{request.path}"
        stored = _pages().get(key)
        if stored is not None and stored["schema"] == schema_name:
            # Reading request.csp_nonce makes django-csp name this response's nonce in its header.
            nonce = str(getattr(request, "csp_nonce", "")).encode()
            content = stored["content"].replace(CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(
                content.replace(NONCE_PLACEHOLDER, nonce),
                content_type=stored["content_type"],
            )
            response[HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            content = CSRF_VALUE.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
            content = NONCE_VALUE.sub(rb"\1" + NONCE_PLACEHOLDER + rb"\2", content)
            _pages().set(key, {"schema": schema_name, "content": content, "content_type": response["Content-Type"]})
            response[HEADER] = "miss"
        return response

    return cached_view


def _bump(key: str) -> None:
    _pages().set(key, uuid.uuid4().hex, timeout=None)


def forget_pages_of(schema_name: str) -> None:
    """Make every cached page of one commune stale, now and again when the transaction commits.

    The second bump covers a page rendered from the old data between the change and the commit.
    """
    key = _schema_generation_key(schema_name)
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def forget_catalog_pages() -> None:
    """Make every commune's cached pages stale: the shared catalogue changed."""
    _bump(CATALOG_GENERATION_KEY)
    transaction.on_commit(lambda: _bump(CATALOG_GENERATION_KEY))


def forget_current_schema_pages() -> None:
    forget_pages_of(connection.schema_name)
