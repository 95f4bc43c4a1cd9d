"""``{% route_form activation %}`` on the activation settings page; ``{% delivery_of item %}`` on a request."""

from __future__ import annotations

from typing import Any

from django import template

from transmission import services
from transmission.forms import RouteForm
from transmission.models import Delivery

register = template.Library()


@register.inclusion_tag("transmission/_route_form.html")
def route_form(activation: Any) -> dict[str, Any]:
    return {"activation": activation, "route_form": RouteForm.for_route(services.route_of(activation))}


@register.inclusion_tag("transmission/_delivery.html")
def delivery_of(item: Any) -> dict[str, Any]:
    """The request's delivery and the files that went out with it (FIT-Connect parts uploaded)."""
    delivery = Delivery.objects.filter(request_id=item.pk).first()
    sent = list(delivery.parts.exclude(sha512="").values_list("filename", flat=True)) if delivery else []
    return {"delivery": delivery, "sent": sent}
