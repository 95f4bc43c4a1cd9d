"""``{% service_title service %}``: a service's title as the commune shows it."""

from __future__ import annotations

from typing import Any

from django import template

from activations import selectors
from catalog.models import Service

register = template.Library()


@register.simple_tag(takes_context=True)
def service_title(context: template.Context, service: Service) -> str:
    """The commune's own title of ``service`` in the active language, else the catalogue's.

    The titles are read once per request (one query), however many services a page lists.
    """
    request: Any = context.get("request")
    titles: dict[int, str] | None = getattr(request, "_service_titles", None)
    if titles is None:
        titles = selectors.shown_titles()
        if request is not None:
            request._service_titles = titles
    return titles.get(service.pk) or service.title
