"""Requests reach the back office: FIT-Connect (really encrypted, decrypted by the stand-in office),
e-mail to the office, or the inbox; failures retry, resume and show up for operators."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.core import mail
from django_tenants.utils import tenant_context
from jwcrypto import jwk

from citizen_requests.models import CitizenRequest, Status
from devservices.fitconnect import DEMO_SERVICE, FitConnectStandIn
from tests.catalog_helpers import activate, post_form
from tests.helpers import host_client, signed_in_client
from transmission import fitconnect, services
from transmission.index.models import DeliveryIndex
from transmission.models import Delivery, Route

pytestmark = pytest.mark.django_db
PERMIT = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Markt 1",
    "plz": "06712",
    "ort": "Zeitz",
    "kennzeichen": "BLK-EM 17",
    "halter": "halter",
    "gueltig_ab": "2026-12-01",
}


def _schema() -> dict[str, Any]:
    from catalog.models import ServiceVersion

    return ServiceVersion.objects.get(service__slug=DEMO_SERVICE).form_schema


def _uri() -> str:
    return f"urn:kommunal:catalog:{DEMO_SERVICE}:1"


def _route(commune, route: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        activation = activate(commune, DEMO_SERVICE) if not _activated() else _activation()
        services.set_route(
            activation,
            route=route,
            destination_id=fields.get("destination_id", ""),
            office_email=fields.get("office_email", ""),
            actor="test",
        )


def _activated() -> bool:
    from activations.models import Activation

    return Activation.objects.filter(service__slug=DEMO_SERVICE).exists()


def _activation():  # type: ignore[no-untyped-def]
    from activations.models import Activation

    return Activation.objects.get(service__slug=DEMO_SERVICE)


def _submit(commune, capture, data: dict[str, Any] | None = None) -> CitizenRequest:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = post_form(host_client(commune), DEMO_SERVICE, data or PERMIT)
    assert response.status_code in (200, 302), response.content[:500]
    with tenant_context(commune):
        return CitizenRequest.objects.latest("id")


def _delivery(commune, request: CitizenRequest) -> Delivery:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        return Delivery.objects.get(request=request)


def test_a_request_submitted_in_zeitz_goes_out_encrypted_and_comes_back_accepted(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    destination = stand_in.add_destination({_uri(): _schema()})
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    activate(communes.zeitz, DEMO_SERVICE)
    settings_page = admin.get(f"/verwaltung/leistungen/{DEMO_SERVICE}/").content.decode()
    assert "FIT-Connect" in settings_page and "route-destination_id" in settings_page
    response = admin.post(
        f"/verwaltung/zustellung/{DEMO_SERVICE}/",
        {"route-route": "fitconnect", "route-destination_id": destination.id, "route-office_email": ""},
    )
    assert response.status_code == 302

    request = _submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = _delivery(communes.zeitz, request)
    assert delivery.status == Delivery.Status.ACCEPTED
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    # The office decrypted exactly what the citizen sent; on the wire it was ciphertext only.
    received = stand_in.received[-1]
    assert received["data"] == PERMIT
    assert received["metadata"]["contentStructure"]["data"]["submissionSchema"]["schemaUri"] == _uri()
    assert received["attachments"]["antrag.pdf"].startswith(b"%PDF")
    stored = stand_in.submissions[delivery.submission_id]
    assert "Mustermann" not in json.dumps(stored)
    assert stored["encryptedData"].count(".") == 4  # compact JWE
    # Staff see the delivery and the office's answer on the request.
    with tenant_context(communes.zeitz):
        detail = admin.get(f"/verwaltung/anfragen/{request.tracking_number}/").content.decode()
    assert "accepted by the office" in detail or "angenommen" in detail


def test_the_office_rejects_with_a_reason_and_the_citizen_sees_it(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    strict = {**_schema(), "required": [*_schema()["required"], "aktenzeichen"]}
    destination = stand_in.add_destination({_uri(): strict})
    _route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)

    request = _submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = _delivery(communes.zeitz, request)
    assert delivery.status == Delivery.Status.REJECTED
    assert "'aktenzeichen' is a required property" in delivery.reason
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    with tenant_context(communes.zeitz):
        assert "aktenzeichen" in request.changes.last().comment
    page = host_client(communes.zeitz).post(
        "/status/", {"tracking_number": request.tracking_number, "email": request.email}
    )
    assert "aktenzeichen" in page.content.decode()


def _certificate(key: jwk.JWK, *, not_after: dt.datetime) -> str:
    import base64

    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding

    issuer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Zustellpunkt Zeitz")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.get_op_key("wrapKey"))
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=365))
        .not_valid_after(not_after)
        .sign(issuer_key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"use": "sig"}, "not for encryption"),
        ({"alg": "RSA1_5"}, "not RSA-OAEP-256"),
        ("expired", "is not valid now"),
    ],
)
def test_an_unacceptable_destination_key_is_refused_and_the_request_stays_pending(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, override, reason
) -> None:
    destination = stand_in.add_destination({_uri(): _schema()})
    if override == "expired":
        expired = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        destination.published_encryption_key["x5c"] = [_certificate(destination.encryption_key, not_after=expired)]
    else:
        destination.published_encryption_key.update(override)
    _route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    announced_before = len(stand_in.submissions)

    request = _submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = _delivery(communes.zeitz, request)
    assert delivery.status == Delivery.Status.PENDING
    assert reason in delivery.last_error
    assert len(stand_in.submissions) == announced_before  # nothing was sent
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_a_certificate_must_belong_to_the_key_and_be_valid(stand_in: FitConnectStandIn) -> None:
    destination = stand_in.add_destination({})
    valid = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    published = destination.published_encryption_key
    stranger = jwk.JWK.generate(kty="RSA", size=2048)
    with pytest.raises(fitconnect.KeyRejected, match="does not match"):
        fitconnect.validate_encryption_key({**published, "x5c": [_certificate(stranger, not_after=valid)]})
    own = [_certificate(destination.encryption_key, not_after=valid)]
    assert fitconnect.validate_encryption_key({**published, "x5c": own}).key_id == destination.encryption_key.key_id
