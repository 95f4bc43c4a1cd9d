"""KERN UX is the design of every area, served from the platform's own origin, in the commune's colours."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django_tenants.utils import tenant_context

from branding import services as branding_services
from operators.models import Role
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import verified_operator_client


def _stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def _assert_kern_from_own_origin(html: str) -> None:
    sheets = _stylesheets(html)
    assert "/static/kern/kern.min.css" in sheets, sheets
    assert "/static/kern/fonts/fira-sans.css" in sheets, sheets
    assert all(sheet.startswith("/static/") for sheet in sheets), "no stylesheet from another origin"
    assert not re.search(r'(src|href)="(https?:)?//(?!localhost|[a-z0-9-]+\.localhost)', html), "no third-party origin"


def test_every_area_uses_kern_from_the_platform(communes) -> None:
    operator = verified_operator_client("admin@provider.example", Role.ADMIN)
    pages = [
        (operator, "/operator/"),
        (host_client(), "/"),
        (host_client(), "/signup/"),
        (host_client(communes.zeitz), "/"),
        (signed_in_client(communes.zeitz, "admin@zeitz.example"), "/verwaltung/anfragen/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_kern_from_own_origin(response.content.decode())


def test_the_vendored_kern_is_complete_and_its_fonts_are_local() -> None:
    found = finders.find("kern/kern.min.css")
    assert isinstance(found, str), "kern.min.css is among the static files"
    css = Path(found)
    folder = css.parent
    assert re.fullmatch(r"\d+\.\d+\.\d+", (folder / "VERSION.txt").read_text().strip())
    assert "EUPL" in (folder / "LICENSE.md").read_text()
    fonts = (folder / "fonts" / "fira-sans.css").read_text()
    for url in re.findall(r'url\("?([^")]+)"?\)', fonts):
        assert not url.startswith(("http:", "https:", "//")), url
        assert (folder / "fonts" / url).is_file(), url
    assert not re.search(r"url\((\"|')?(https?:)?//", css.read_text()), "KERN loads nothing from elsewhere"


def test_the_communes_primary_colour_becomes_kerns_action_colour(communes) -> None:
    with tenant_context(communes.zeitz):
        branding_services.update_branding(commune=communes.zeitz, actor="test", primary_color="#7a1f1f")
    zeitz = host_client(communes.zeitz).get("/").content.decode()
    borna = host_client(communes.borna).get("/").content.decode()
    assert "--kern-color-action-default: #7a1f1f" in zeitz
    assert "#7a1f1f" not in borna, "one commune's colour never reaches another's portal"
