"""Reading a commune's legal pages: its own wording, or the platform's default from its data."""

from __future__ import annotations

from django.template.loader import render_to_string

from branding.selectors import current_branding
from legal.models import LegalText
from tenants.models import Commune


def default_text(kind: str, commune: Commune) -> str:
    """The platform's default wording of ``kind``, filled in from the commune's data and branding."""
    return render_to_string(f"legal/defaults/{kind}.txt", {"commune": commune, "branding": current_branding()}).strip()


def legal_text(kind: str, commune: Commune) -> tuple[str, bool]:
    """The text of ``kind`` shown on the commune's portal and whether the commune wrote it itself."""
    own = LegalText.objects.filter(kind=kind).values_list("body", flat=True).first()
    return (own, True) if own else (default_text(kind, commune), False)
