"""Demo branding for ``make run``: invented coat-of-arms-like shields (no real arms) and colours."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import tenant_context
from PIL import Image, ImageDraw

from branding import services
from branding.models import Branding
from tenants.models import Commune


@dataclass(frozen=True)
class DemoBrand:
    slug: str
    display_name: str
    primary: str
    accent: str
    field: tuple[str, str]
    charge: str
    contact: str
    website: str


DEMO_BRANDS = [
    DemoBrand(
        "zeitz",
        "Stadt Zeitz",
        "#8a1538",
        "#1d5f8a",
        ("#b3182f", "#f4f1e8"),
        "tower",
        "Altmarkt 1\n06712 Zeitz\nTelefon 03441 83-0",
        "https://www.zeitz.example",
    ),
    DemoBrand(
        "weisswasser",
        "Weißwasser/O.L.",
        "#0d5c46",
        "#2b4c9b",
        ("#1f6fb8", "#f7f7f2"),
        "wave",
        "Marktplatz 1\n02943 Weißwasser/O.L.\nTelefon 03576 265-0",
        "https://www.weisswasser.example",
    ),
]


def shield_png(field: tuple[str, str], charge: str, size: int = 512) -> bytes:
    """A simple heraldic-looking shield: split field, a geometric charge, a dark outline."""
    w, h = size, round(size * 1.15)
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    m = size // 16
    outline = [(m, m), (w - m, m), (w - m, h // 2), (w // 2, h - m), (m, h // 2)]
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).polygon(outline, fill=255)
    halves = Image.new("RGBA", (w, h), field[1])
    ImageDraw.Draw(halves).rectangle([0, 0, w // 2, h], fill=field[0])
    image.paste(halves, (0, 0), mask)
    cx, cy = w // 2, h // 2 - m
    if charge == "tower":
        draw.rectangle([cx - w // 8, cy - h // 6, cx + w // 8, cy + h // 5], fill="#2b2b2b")
        for i in range(-1, 2):
            x = cx + i * w // 12
            draw.rectangle([x - w // 40, cy - h // 6 - h // 20, x + w // 40, cy - h // 6], fill="#2b2b2b")
        draw.rectangle([cx - w // 30, cy + h // 12, cx + w // 30, cy + h // 5], fill=field[1])
    else:
        for row in range(3):
            y = cy - h // 8 + row * h // 10
            draw.arc([cx - w // 4, y - h // 20, cx, y + h // 20], 180, 360, fill="#2b2b2b", width=size // 40)
            draw.arc([cx, y - h // 20, cx + w // 4, y + h // 20], 0, 180, fill="#2b2b2b", width=size // 40)
    draw.line([*outline, outline[0]], fill="#2b2b2b", width=size // 48, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def brand_demo_communes() -> None:
    """Give the demo communes their branding unless they already have a logo."""
    for brand in DEMO_BRANDS:
        commune = Commune.objects.filter(slug=brand.slug).first()
        if commune is None:
            continue
        with tenant_context(commune):
            existing = Branding.objects.filter(singleton=1).first()
            if existing and existing.assets:
                continue
            with transaction.atomic():
                services.update_branding(
                    commune=commune,
                    actor="demo",
                    display_name=brand.display_name,
                    primary_color=brand.primary,
                    accent_color=brand.accent,
                    contact=brand.contact,
                    contact_email=f"buergerservice@{brand.slug}.example",
                    imprint_url=f"{brand.website}/impressum",
                    privacy_url=f"{brand.website}/datenschutz",
                    accessibility_url=f"{brand.website}/barrierefreiheit",
                )
                services.replace_logo(commune=commune, actor="demo", data=shield_png(brand.field, brand.charge))
