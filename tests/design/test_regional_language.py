"""Upper/Lower Sorbian on the portal of a commune that switches it on, and nowhere else."""

from __future__ import annotations

import re

from django_tenants.utils import tenant_context

from branding import services as branding_services
from tests.helpers import host_client


def _offered(html: str) -> list[str]:
    select = re.search(r'<select id="language-select".*?</select>', html, re.S)
    assert select
    return re.findall(r'<option value="([a-z]+)"', select.group(0))


def _choose(client, language: str) -> str:  # type: ignore[no-untyped-def]
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client.get("/").content.decode()


def test_a_commune_in_the_sorbian_area_offers_upper_sorbian_and_others_do_not(communes) -> None:
    with tenant_context(communes.zeitz):
        branding_services.update_branding(commune=communes.zeitz, actor="test", regional_language="hsb")
    zeitz, borna, platform = host_client(communes.zeitz), host_client(communes.borna), host_client()
    assert _offered(zeitz.get("/").content.decode()) == ["de", "en", "hsb"]
    assert _offered(borna.get("/").content.decode()) == ["de", "en"]
    assert _offered(platform.get("/").content.decode()) == ["de", "en"]

    sorbian = _choose(zeitz, "hsb")
    assert '<html lang="hsb"' in sorbian
    assert 'href="/rechtliches/barrierefreiheit/"' in sorbian
    assert '<html lang="de"' in _choose(borna, "hsb"), "a commune that did not switch it on stays German"
    assert '<html lang="de"' in _choose(zeitz, "dsb"), "only the language the commune chose"
    assert '<html lang="de"' in _choose(platform, "hsb")


def test_switching_the_regional_language_off_returns_its_readers_to_german(communes) -> None:
    with tenant_context(communes.zeitz):
        branding_services.update_branding(commune=communes.zeitz, actor="test", regional_language="dsb")
    client = host_client(communes.zeitz)
    assert '<html lang="dsb"' in _choose(client, "dsb")
    with tenant_context(communes.zeitz):
        branding_services.update_branding(commune=communes.zeitz, actor="test", regional_language="")
    assert '<html lang="de"' in client.get("/").content.decode()
