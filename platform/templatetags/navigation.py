"""Marking the navigation entry of the section the current page belongs to."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def within(path: str, section: str) -> bool:
    """Whether ``path`` is ``section`` or a page below it (``/verwaltung/anfragen/12/``)."""
    return bool(section) and path.startswith(section)
