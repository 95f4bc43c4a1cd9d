"""``make run``: Zeitz's parking permit goes to the FIT-Connect stand-in, with one sample request."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from activations.models import Activation
from citizen_requests import services as request_services
from citizen_requests.models import CitizenRequest
from tenants.models import Commune
from transmission import services
from transmission.models import Route

SERVICE = "anwohnerparkausweis"
EMAIL = "erika.mustermann@example.org"
SAMPLE = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Markt 1",
    "plz": "06712",
    "ort": "Zeitz",
    "kennzeichen": "BLK-EM 17",
    "halter": "halter",
    "gueltig_ab": "2026-12-01",
}


# A one-page PDF standing in for the copy of the vehicle registration the form asks for.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def route_demo_parking_permit(commune: Commune) -> None:
    """Route the parking permit through FIT-Connect and submit one sample request once (idempotent)."""
    destination = settings.KOMMUNAL_DEMO_FITCONNECT_DESTINATION
    if not destination:
        return
    with tenant_context(commune):
        activation = Activation.objects.filter(service__slug=SERVICE).first()
        if activation is None:
            return
        if services.route_of(activation).destination_id != destination:
            services.set_route(
                activation, route=Route.FITCONNECT, destination_id=destination, office_email="", actor="demo"
            )
        if not CitizenRequest.objects.filter(service__slug=SERVICE, email=EMAIL).exists():
            registration = SimpleUploadedFile("zulassungsbescheinigung.pdf", SAMPLE_PDF, "application/pdf")
            request_services.submit_request(
                service_slug=SERVICE, email=EMAIL, data=SAMPLE, files={"zulassungsbescheinigung": [registration]}
            )
