"""Changing a commune's legal pages and passing accessibility feedback on to the commune."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from branding.selectors import current_branding
from branding.services import send_branded_mail
from legal.models import LegalText
from tenants.models import Commune


def save_legal_text(*, commune: Commune, actor: str, kind: str, body: str) -> None:
    """Store the commune's wording of ``kind``; an empty ``body`` returns to the platform's default."""
    with transaction.atomic():
        if body.strip():
            LegalText.objects.update_or_create(kind=kind, defaults={"body": body.strip()})
        else:
            LegalText.objects.filter(kind=kind).delete()
        audit.record("legal.updated", actor=actor, commune=commune, target=kind, default=not body.strip())


def feedback_recipients() -> list[str]:
    """Where accessibility feedback goes: the commune's contact address, else its administrators."""
    contact = current_branding().contact_email
    if contact:
        return [contact]
    admins = User.objects.filter(is_active=True, role=User.Role.ADMIN).order_by("email")
    return list(admins.values_list("email", flat=True))


def send_accessibility_feedback(*, commune: Commune, message: str, page: str, name: str, email: str) -> int:
    """E-mail a reported barrier to the commune (inside its schema). Returns the mails sent."""
    lines = [message, "", f"{_('Page')}: {page or '-'}", f"{_('Name')}: {name or '-'}"]
    lines.append(f"{_('E-mail address for the answer')}: {email or '-'}")
    sent = send_branded_mail(
        template="branding/email/notice",
        subject=_("Accessibility feedback on the portal"),
        to=feedback_recipients(),
        commune=commune,
        context={"text": "\n".join(lines)},
    )
    audit.record("legal.accessibility_feedback", commune=commune, target=page[:200])
    return sent
