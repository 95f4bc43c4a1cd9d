"""Read access to applications and to the directory as the signup shows it."""

from __future__ import annotations

import hashlib

from django.db.models import Exists, OuterRef, QuerySet

from signup.models import Application
from tenants.models import Commune, Municipality
from tenants.selectors import matching_municipalities


def hash_token(token: str) -> str:
    """What is stored of a verification token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def municipalities_for_signup(query: str, limit: int = 20) -> QuerySet[Municipality]:
    """Directory matches, each annotated ``taken`` when a commune or an open application holds it.

    One query whatever the number of matches or communes.
    """
    taken_by_commune = Exists(Commune.objects.filter(ags=OuterRef("ags")))
    taken_by_application = Exists(Application.objects.filter(ags=OuterRef("ags"), status__in=Application.OPEN_STATUSES))
    return matching_municipalities(query).annotate(taken=taken_by_commune | taken_by_application)[:limit]


def application_for_token(token: str) -> Application | None:
    """The application whose unused verification token is ``token``."""
    if not token:
        return None
    return Application.objects.filter(verification_token_hash=hash_token(token)).first()


def applications_for_review() -> QuerySet[Application]:
    """Applications an operator looks at: waiting for review first, then failed ones."""
    return Application.objects.filter(
        status__in=[Application.Status.PENDING_REVIEW, Application.Status.FAILED]
    ).order_by("status", "created_at")
