"""Reading a commune's activations."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from activations import texts
from activations.models import Activation
from catalog.models import Service


def activations() -> QuerySet[Activation]:
    """Every activation of this commune (active or not) with service and pinned version, one query."""
    return Activation.objects.select_related("service", "version")


def by_service() -> dict[int, Activation]:
    """Activations keyed by catalogue service id."""
    return {activation.service_id: activation for activation in activations()}


def shown_titles() -> dict[int, str]:
    """Catalogue service id → the title this commune shows for it in the active language."""
    return {service_id: activation.title for service_id, activation in by_service().items()}


def shown_title(service: Service) -> str:
    """The title this commune shows for ``service`` in the active language (its own, else the catalogue's)."""
    activation = Activation.objects.filter(service=service).select_related("service").first()
    return activation.title if activation else service.title


def own_texts_contain(word: str) -> Q:
    """Activations whose own title or short description, in any language, contains ``word``."""
    condition = Q()
    for language in texts.LANGUAGES:
        for name in ("title", "summary"):
            condition |= Q(**{f"texts__{language}__{name}__icontains": word})
    return condition
