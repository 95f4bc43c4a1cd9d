"""Reads for the operator console: deliveries across all communes from the public index."""

from __future__ import annotations

from django.db.models import QuerySet

from transmission.index.models import DeliveryIndex

NEEDS_ATTENTION = ["pending", "submitted", "failed", "rejected"]


def deliveries_needing_attention(status: str = "") -> QuerySet[DeliveryIndex]:
    """One query over the public schema, newest first; ``status`` narrows to one state."""
    statuses = [status] if status in NEEDS_ATTENTION else NEEDS_ATTENTION
    return DeliveryIndex.objects.filter(status__in=statuses).select_related("commune")
