"""E-mails to citizens about their requests (HTML and plain text, in the request's language)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tenants.utils import schema_context

from activations.selectors import shown_title
from branding.selectors import brand_name
from branding.services import sender
from citizen_requests import status_links
from citizen_requests.models import CitizenRequest, PaymentStatus
from payments import links
from tenants.models import Commune

logger = logging.getLogger(__name__)


def _send(template: str, request: CitizenRequest, commune: Commune | None, **context: Any) -> None:
    """Send one e-mail; a failing mail server is logged, never turned into an error for the caller.

    The request is stored and its status recorded before this runs (after commit); the citizen
    can always look the status up on the portal.
    """
    try:
        _render_and_send(template, request, commune, **context)
    except Exception:
        logger.exception("Could not send the %s e-mail for request %s", template, request.tracking_number)


def _render_and_send(template: str, request: CitizenRequest, commune: Commune | None, **context: Any) -> None:
    with translation.override(request.language):
        context = {"request": request, "commune": commune, "service_title": request.service.title, **context}
        if commune:
            with schema_context(commune.schema_name):
                context["service_title"] = shown_title(request.service)
        context["brand_name"] = brand_name(commune) if commune else ""
        context["status_url"] = status_links.status_url(commune, request.tracking_number) if commune else ""
        payable = request.payment_status in (PaymentStatus.UNPAID, PaymentStatus.FAILED)
        context["payment_url"] = (
            f"{commune.portal_url}{links.path(request.tracking_number)}" if commune and payable else ""
        )
        subject = render_to_string(f"citizen_requests/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"citizen_requests/email/{template}.txt", context)
        html = render_to_string(f"citizen_requests/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, sender(commune), [request.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_confirmation(request: CitizenRequest, commune: Commune | None) -> None:
    """Tell the citizen that the request arrived, with its tracking number."""
    _send("submitted", request, commune)


def send_status_changed(request: CitizenRequest, commune: Commune | None, comment: str) -> None:
    """Tell the citizen the new status of the request and the office's comment."""
    _send("status_changed", request, commune, comment=comment)
