"""Reading a commune's requests and the services citizens can apply for."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from activations.models import Activation
from citizen_requests import status_links
from citizen_requests.models import Attachment, CitizenRequest
from tenants.db import connection


def active_activations() -> QuerySet[Activation]:
    """The services this commune offers, with catalogue service and pinned version (one query)."""
    return Activation.objects.filter(is_active=True).select_related("service", "version")


def active_activation(slug: str) -> Activation | None:
    """The active activation of the service ``slug``, or None when the commune does not offer it."""
    return active_activations().filter(service__slug=slug).first()


def inbox(*, service: str = "", status: str = "") -> QuerySet[CitizenRequest]:
    """Requests for the staff inbox, newest first, optionally filtered by service slug and status."""
    requests = CitizenRequest.objects.select_related("service", "version")
    if service:
        requests = requests.filter(service__slug=service)
    if status:
        requests = requests.filter(status=status)
    return requests


def find_for_citizen(tracking_number: str, email: str) -> CitizenRequest | None:
    """The request with this tracking number if ``email`` is the one it was submitted with."""
    return (
        CitizenRequest.objects.select_related("service")
        .prefetch_related("changes")
        .filter(tracking_number=tracking_number.strip().upper(), email__iexact=email.strip())
        .first()
    )


def find_by_status_link(tracking_number: str, code: str) -> CitizenRequest | None:
    """The request the status link of the citizen's e-mail names, if its access code is right."""
    tracking_number = tracking_number.strip().upper()
    if not status_links.is_valid(connection.schema_name, tracking_number, code.strip()):
        return None
    return (
        CitizenRequest.objects.select_related("service")
        .prefetch_related("changes")
        .filter(tracking_number=tracking_number)
        .first()
    )


def submitted_request(tracking_number: str) -> CitizenRequest | None:
    """The request ``tracking_number`` of this commune with its service, or None."""
    return CitizenRequest.objects.select_related("service").filter(tracking_number=tracking_number).first()


def attachment(tracking_number: str, attachment_id: str) -> Attachment | None:
    """The attachment ``attachment_id`` of the request ``tracking_number`` in this commune, or None."""
    try:
        key = uuid.UUID(str(attachment_id))
    except ValueError:
        return None
    return Attachment.objects.filter(request__tracking_number=tracking_number, id=key).first()
