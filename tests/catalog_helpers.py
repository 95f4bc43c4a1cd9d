"""Helpers for tests of the catalogue, activations and citizen requests."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any

from django_tenants.utils import tenant_context

from accounts.models import User
from activations.models import Activation
from activations.services import LocalSettings, activate_service
from catalog.loader import DATA_FILE, load_catalog
from tenants.models import Commune
from tests.helpers import ADMIN_PASSWORD

BULKY_WASTE = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Markt 1",
    "plz": "06712",
    "ort": "Zeitz",
    "gegenstaende": "1 Sofa, 2 Stühle",
    "volumen": 2,
}


# The services the tests use: loading all of the shipped catalogue in every test would cost seconds.
TEST_SERVICES = {
    "anwohnerparkausweis",
    "sperrmuell",
    "maengelmelder",
    "meldebescheinigung",
    "hundesteuer",
    "fundsachen",
    "gewerbeanmeldung",
    "ladesaeule-oeffentlicher-raum",
    "e-fahrzeug-parkberechtigung",
    "sharing-registrierung",
    "kita-voranmeldung",
}


@functools.cache
def _subset_file() -> Path:
    document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    document["services"] = [entry for entry in document["services"] if entry["slug"] in TEST_SERVICES]
    path = Path(tempfile.mkdtemp(prefix="kommunal-catalog-")) / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def load_shipped_catalogue() -> None:
    """The shipped entries of TEST_SERVICES in the public schema (rolled back with the test)."""
    load_catalog(_subset_file())


def activate(commune: Commune, slug: str, **settings: Any) -> Activation:
    with tenant_context(commune):
        return activate_service(service_slug=slug, actor="test", local=LocalSettings(**settings))


def staff_user(commune: Commune, email: str) -> User:
    with tenant_context(commune):
        return User.objects.create_user(email, ADMIN_PASSWORD, full_name="Sachbearbeitung", role=User.Role.STAFF)


def post_form(client: Any, slug: str, data: dict[str, Any], email: str = "erika@example.org", **extra: Any) -> Any:
    """Submit the portal's request form as a browser would (strings; uploaded files, alone or several
    for one field, as they are)."""
    form = {
        name: value if hasattr(value, "read") or isinstance(value, list) else str(value) for name, value in data.items()
    }
    return client.post(f"/leistungen/{slug}/antrag/", {**form, "kontakt_email": email}, **extra)
