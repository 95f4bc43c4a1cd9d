"""Demo services and requests for ``make run`` (``kommunal bootstrap --demo``); idempotent."""

from __future__ import annotations

import http.client
import urllib.parse
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from activations.models import PaymentMode
from activations.services import LocalSettings, activate_service
from citizen_requests.models import CitizenRequest, Status, StatusChange
from citizen_requests.selectors import active_activation
from citizen_requests.services import new_tracking_number
from payments import providers
from payments import services as payments
from tenants.models import Commune

ACTOR = "demo"
COMMON = ["sperrmuell", "maengelmelder", "meldebescheinigung", "fundsachen", "sharing-registrierung"]
ZEITZ = [
    "anwohnerparkausweis",
    "sperrmuell",
    "maengelmelder",
    "meldebescheinigung",
    "hundesteuer",
    "kita-voranmeldung",
    "ladesaeule-oeffentlicher-raum",
    "e-fahrzeug-parkberechtigung",
]
ADDRESS = {"vorname": "Erika", "nachname": "Mustermann", "strasse": "Markt 1", "plz": "06712", "ort": "Zeitz"}
SAMPLE_REQUESTS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "sperrmuell",
        "erika.mustermann@example.org",
        {**ADDRESS, "gegenstaende": "1 Sofa, 2 Stühle", "volumen": 2},
        Status.RECEIVED,
    ),
    (
        "maengelmelder",
        "max.muster@example.org",
        {
            "kategorie": "beleuchtung",
            "ort_mangel": "Schützenplatz 3",
            "beschreibung": "Die Laterne vor dem Haus ist seit Tagen dunkel.",
        },
        Status.IN_PROGRESS,
    ),
    (
        "meldebescheinigung",
        "erika.mustermann@example.org",
        {**ADDRESS, "geburtsdatum": "1980-05-17", "art": "einfach", "zweck": "Arbeitgeber"},
        Status.COMPLETED,
    ),
]


def _local_settings(commune: Commune, slug: str) -> LocalSettings:
    office = f"Bürgeramt {commune.name}"
    if commune.slug == "zeitz" and slug == "anwohnerparkausweis":
        return LocalSettings(
            fee=Decimal("30.70"),
            office_name="Straßenverkehrsbehörde Zeitz",
            office_address="Altmarkt 1\n06712 Zeitz",
            contact_email="verkehr@zeitz.example",
            contact_phone="03441 83-0",
            opening_hours="Mo, Di, Do 9-12 und 13-16 Uhr\nFr 9-12 Uhr",
            payment_mode=PaymentMode.BEFORE_SUBMISSION if providers.enabled() else PaymentMode.NONE,
        )
    return LocalSettings(office_name=office)


def _connect_demo_account(commune: Commune) -> None:
    """Connect Zeitz to the local Stripe stand-in and complete its onboarding there (a loopback click)."""
    if not providers.enabled() or urllib.parse.urlsplit(settings.STRIPE_API_BASE).hostname != "127.0.0.1":
        return
    stale = payments.account_of(commune)
    if stale is not None:  # the stand-in forgets its accounts when it stops: connect anew
        try:
            providers.provider().account_ready(stale.account_id)
        except providers.ProviderUnavailable:
            with schema_context(get_public_schema_name()):
                stale.delete()
    url = payments.onboarding_url(commune, email="kasse@zeitz.example", return_url=commune.portal_url, actor=ACTOR)
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:  # the "connect" button of the stand-in's onboarding page (its redirect is not followed)
        connection.request(
            "POST", parts.path, body="do=yes", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        connection.getresponse().read()
    finally:
        connection.close()


def seed_demo_services(commune: Commune) -> None:
    """Activate a few catalogue services in ``commune`` and put sample requests in its inbox once."""
    if commune.slug == "zeitz":
        _connect_demo_account(commune)
    with tenant_context(commune), transaction.atomic():
        for slug in ZEITZ if commune.slug == "zeitz" else COMMON:
            activate_service(service_slug=slug, actor=ACTOR, local=_local_settings(commune, slug))
        if CitizenRequest.objects.exists():
            return
        for slug, email, data, status in SAMPLE_REQUESTS:
            activation = active_activation(slug)
            if activation is None:
                continue
            request = CitizenRequest.objects.create(
                tracking_number=new_tracking_number(commune),
                service=activation.service,
                version=activation.version,
                email=email,
                data=data,
                status=status,
            )
            StatusChange.objects.create(request=request, to_status=Status.RECEIVED, actor=email)
            path: dict[str, list[str]] = {
                Status.IN_PROGRESS: [Status.IN_PROGRESS],
                Status.COMPLETED: [Status.IN_PROGRESS, Status.COMPLETED],
            }
            previous: str = Status.RECEIVED
            for step in path.get(status, []):
                StatusChange.objects.create(request=request, from_status=previous, to_status=step, actor=ACTOR)
                previous = step
