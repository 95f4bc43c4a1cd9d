"""E-mails to citizens about appointments, each with the appointment as an iCalendar file."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from icalendar import Calendar, Event

from appointments.availability import BERLIN
from appointments.models import Booking
from branding.services import sender
from tenants.models import Commune

logger = logging.getLogger(__name__)


def ics(booking: Booking, commune: Commune | None, *, title: str) -> bytes:
    """The appointment as an iCalendar (RFC 5545) file; a cancellation carries STATUS:CANCELLED."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kommunal//Termine//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if booking.status == Booking.Status.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"termin-{booking.token[:16]}@{commune.primary_host if commune else 'kommunal'}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", title)
    event.add("location", ", ".join(p for p in (booking.resource.name, booking.resource.location) if p))
    event.add("status", "CANCELLED" if booking.status == Booking.Status.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def send(template: str, booking: Booking, commune: Commune | None, **context: Any) -> None:
    """Send one e-mail; a failing mail server is logged, the booking stands regardless."""
    try:
        _render_and_send(template, booking, commune, **context)
    except Exception:
        logger.exception("Could not send the %s e-mail for appointment %s", template, booking.pk)


def _render_and_send(template: str, booking: Booking, commune: Commune | None, **context: Any) -> None:
    booking = Booking.objects.select_related("resource", "settings__activation__service").get(pk=booking.pk)
    with translation.override(booking.language), timezone.override(BERLIN):
        title = str(booking.settings.activation.title)
        context = {
            "booking": booking,
            "commune": commune,
            "service_title": title,
            "manage_url": f"{commune.portal_url if commune else ''}/termine/b/{booking.token}/",
            **context,
        }
        subject = render_to_string(f"appointments/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"appointments/email/{template}.txt", context)
    message = EmailMultiAlternatives(subject, text, sender(commune), [booking.email])
    if template != "offer":
        message.attach("termin.ics", ics(booking, commune, title=title), "text/calendar")
    message.send()
