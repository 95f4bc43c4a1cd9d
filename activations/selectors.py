"""Reading a commune's activations."""

from __future__ import annotations

from django.db.models import QuerySet

from activations.models import Activation


def activations() -> QuerySet[Activation]:
    """Every activation of this commune (active or not) with service and pinned version, one query."""
    return Activation.objects.select_related("service", "version")


def by_service() -> dict[int, Activation]:
    """Activations keyed by catalogue service id."""
    return {activation.service_id: activation for activation in activations()}
