"""The e-mail that tells a citizen a message waits in their Postfach (never its content)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from branding.services import sender
from citizen_requests.models import CitizenRequest
from citizens.models import Citizen
from tenants.models import Commune

logger = logging.getLogger(__name__)


def send_message_waiting(citizen: Citizen, request: CitizenRequest, commune: Commune | None) -> None:
    """Notify without content; a failing mail server is logged (the message is in the Postfach)."""
    if not citizen.email:
        return
    context = {
        "commune": commune,
        "mailbox_url": f"{commune.portal_url}/buerger/postfach/" if commune else "",
    }
    try:
        with translation.override(request.language):
            subject = render_to_string("citizens/email/message_waiting_subject.txt", context).strip()
            text = render_to_string("citizens/email/message_waiting.txt", context)
        send_mail(subject, text, sender(commune), [citizen.email])
    except Exception:
        logger.exception("Could not send the message notification for request %s", request.tracking_number)
