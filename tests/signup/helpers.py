"""Helpers of the onboarding tests."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from signup import actions
from signup.models import Application

LINK = re.compile(r"https?://\S+")
# A complete application as the signup API takes it (Leipzig).
API_APPLICATION = {
    "ags": "14713000",
    "applicant_name": "Anna Amtsleiterin",
    "applicant_role": "Leiterin Bürgeramt",
    "applicant_email": "amt@leipzig.de",
    "accept_terms": True,
    "accept_dpa": True,
}


def links_in_last_mail(to: str) -> list[str]:
    """The URLs in the newest e-mail sent to ``to``."""
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no e-mail to {to}"
    return LINK.findall(str(messages[-1].body))


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def submit(ags: str = "14713000", email: str = "amt@leipzig.de", **extra: Any) -> Application:
    """An application as the API or wizard stores it (Leipzig by default, not provisioned anywhere)."""
    return actions.submit_application(
        ags=ags,
        applicant_name="Anna Amtsleiterin",
        applicant_role="Leiterin Bürgeramt",
        applicant_email=email,
        accept_terms=True,
        accept_dpa=True,
        **extra,
    )
