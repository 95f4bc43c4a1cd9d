"""``{% load audit_entries %}``: audit events in words (see ``audit.labels``)."""

from __future__ import annotations

from typing import Any

from django import template

from audit import labels

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The translated label of an audit action code."""
    return labels.action_label(action)


@register.filter
def detail_items(data: Any, action: str = "") -> list[tuple[str, str]]:
    """The details of an audit event (recorded by ``action``) as (translated key, readable value) pairs."""
    return labels.detail_items(data, action)
