"""Appointment events for the outbound webhooks: what happened and when, no personal data."""

from __future__ import annotations

from appointments.models import Booking
from integrations import services as integrations


def emit(event: str, booking: Booking) -> None:
    booking = Booking.objects.select_related("settings__activation__service").get(pk=booking.pk)
    integrations.emit_event(
        event,
        {
            "booking": booking.pk,
            "service": booking.settings.activation.service.slug,
            "resource": booking.resource_id,
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
            "status": booking.status,
            "url": f"/api/v1/appointments/bookings/{booking.pk}/",
        },
    )
