"""Where the portal offers an appointment: on a service's page and after submitting a request."""

from __future__ import annotations

from typing import Any

from django import template

from appointments import selectors
from appointments.models import Mode
from citizen_requests.models import CitizenRequest

register = template.Library()


@register.inclusion_tag("appointments/_offer.html")
def appointment_for_service(slug: str, after_request: bool = False) -> dict[str, Any]:
    settings = selectors.bookable(slug)
    return {
        "settings": settings,
        "required": settings is not None and settings.mode == Mode.REQUIRED,
        "after_request": after_request,
    }


@register.inclusion_tag("appointments/_offer.html")
def appointment_for_request(tracking_number: str) -> dict[str, Any]:
    request = CitizenRequest.objects.select_related("service").filter(tracking_number=tracking_number).first()
    return appointment_for_service(request.service.slug, after_request=True) if request else {"settings": None}
