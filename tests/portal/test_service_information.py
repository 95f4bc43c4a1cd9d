"""The service page shows the full FIM information before the form; search reads those texts too."""

from decimal import Decimal

import pytest
from django.utils import translation

from tests.catalog_helpers import activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def zeitz_parking(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(
        communes.zeitz,
        "anwohnerparkausweis",
        fee=Decimal("30.70"),
        office_name="Bürgeramt Zeitz",
        office_address="Altmarkt 1\n06712 Zeitz",
        contact_email="buergeramt@zeitz.de",
        contact_phone="03441 83-0",
        opening_hours="Mo-Fr 9-12 Uhr",
    )
    activate(communes.zeitz, "ladesaeule-oeffentlicher-raum")
    activate(communes.zeitz, "sperrmuell")
    return communes


def test_parking_page_shows_every_information_block_before_the_form(zeitz_parking, zeitz_client) -> None:
    page = zeitz_client.get("/leistungen/anwohnerparkausweis/").content.decode()
    for text in (
        "Voraussetzungen",
        "mit Hauptwohnsitz (oder einzigem Wohnsitz) in der Bewohnerparkzone",
        "Zulassungsbescheinigung Teil I (Fahrzeugschein) als Kopie (erforderlich)",
        "Bestätigung des Halters über die dauerhafte Nutzung (falls zutreffend)",
        "In der Regel 5 Arbeitstage",
        "Verlängerung",
        'href="https://www.gesetze-im-internet.de/stvo_2013/__45.html"',
        "30,70 EUR",
        "Altmarkt 1<br>06712 Zeitz",
        "Mo-Fr 9-12 Uhr",
        "03441 83-0",
        'href="mailto:buergeramt@zeitz.de"',
    ):
        assert text in page, text
    assert page.index("Voraussetzungen") < page.rindex("Online beantragen")
    assert 'href="/leistungen/anwohnerparkausweis/antrag/"' in page


def test_information_is_english_for_english_users(zeitz_parking, zeitz_client) -> None:
    page = zeitz_client.get("/leistungen/anwohnerparkausweis/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Documents you need" in page
    assert "Vehicle registration certificate part I (copy) (needed)" in page
    assert "Usually 5 working days" in page


def test_a_service_without_information_still_shows_its_description(zeitz_parking, zeitz_client) -> None:
    page = zeitz_client.get("/leistungen/sperrmuell/").content.decode()
    assert "Voraussetzungen" not in page
    with translation.override("de"):
        assert "Sperrmüll" in page


@pytest.mark.parametrize("query", ["Auto laden", "Elektroautos", "Sondernutzungserlaubnis"])
def test_search_matches_words_in_the_information_texts(zeitz_parking, zeitz_client, query) -> None:
    page = zeitz_client.get("/", {"q": query}).content.decode()
    assert "Antrag Ladesäule im öffentlichen Raum" in page
    assert "Sperrmüllabholung anmelden" not in page


def test_search_needs_every_word(zeitz_parking, zeitz_client) -> None:
    page = zeitz_client.get("/", {"q": "Auto Sperrmüll"}).content.decode()
    assert "Antrag Ladesäule" not in page
    assert "Sperrmüllabholung anmelden" not in page


def test_another_communes_search_does_not_see_zeitz_services(zeitz_parking, borna_client) -> None:
    page = borna_client.get("/", {"q": "Auto laden"}).content.decode()
    assert "Antrag Ladesäule" not in page
