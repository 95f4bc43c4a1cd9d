"""Shared steps of the transmission tests: Zeitz's parking permit routed, submitted and delivered."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from citizen_requests.models import CitizenRequest
from devservices.fitconnect import DEMO_SERVICE
from tests.catalog_helpers import activate, post_form
from tests.helpers import host_client
from transmission import fitconnect, services
from transmission.demo import SAMPLE, SAMPLE_PDF
from transmission.models import Delivery

PERMIT = SAMPLE  # the demo's parking-permit application


def registration_copy() -> SimpleUploadedFile:
    """The copy of the vehicle registration the parking permit asks for."""
    return SimpleUploadedFile("zulassung.pdf", SAMPLE_PDF, "application/pdf")


def schema() -> dict[str, Any]:
    """The parking permit's form schema, as the office's procedure knows it."""
    from catalog.models import ServiceVersion

    return ServiceVersion.objects.get(service__slug=DEMO_SERVICE).form_schema


def uri() -> str:
    """The schema URI Kommunal names in the metadata."""
    return f"urn:kommunal:catalog:{DEMO_SERVICE}:1"


def route(commune, kind: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    """Send ``commune``'s parking permits along ``kind`` (activating the service if need be)."""
    from activations.models import Activation

    with tenant_context(commune):
        activation = Activation.objects.filter(service__slug=DEMO_SERVICE).first() or activate(commune, DEMO_SERVICE)
        services.set_route(
            activation,
            route=kind,
            destination_id=fields.get("destination_id", ""),
            office_email=fields.get("office_email", ""),
            actor="test",
        )


def submit(  # type: ignore[no-untyped-def]
    commune, capture, data: dict[str, Any] | None = None, files: list[SimpleUploadedFile] | None = None
) -> CitizenRequest:
    """A citizen submits the parking permit in ``commune`` (with the registration copy unless ``files``)."""
    with capture(execute=True):
        form = {**(data or PERMIT), "zulassungsbescheinigung": files or [registration_copy()]}
        response = post_form(host_client(commune), DEMO_SERVICE, form)
    assert response.status_code in (200, 302), response.content[:500]
    with tenant_context(commune):
        return CitizenRequest.objects.latest("id")


def delivery_of(commune, request: CitizenRequest) -> Delivery:  # type: ignore[no-untyped-def]
    """The delivery of ``request``, read in its commune's schema."""
    with tenant_context(commune):
        return Delivery.objects.get(request=request)


def event_kind(token: str) -> str:
    """The event a Security Event Token records (``submit-submission``, ``accept-submission`` ...)."""
    claims = fitconnect._b64url_json(token.split(".")[1])
    return next(iter(claims["events"])).rsplit("/", 1)[-1]


def retried_until_accepted(commune, delivery_id: int) -> Delivery:  # type: ignore[no-untyped-def]
    """Run the delivery again (as the task's next attempt would), then read the office's answer.

    Asserts that it went out and was accepted; returns the delivery as it is then.
    """
    with tenant_context(commune):
        delivery = services.attempt_delivery(delivery_id)
        assert delivery.status == Delivery.Status.SUBMITTED
        delivery = services.poll_events(delivery.pk)
    assert delivery.status == Delivery.Status.ACCEPTED
    return delivery
