"""``make run``: the stand-in registers with devservices and Zeitz's parking permit goes through it."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from devservices import __main__ as devservices_main
from devservices.fitconnect import FitConnectStandIn, _demo_schemas
from devservices.registry import STARTERS
from tests.catalog_helpers import activate
from transmission.demo import route_demo_parking_permit
from transmission.models import Delivery

pytestmark = pytest.mark.django_db


def test_the_demo_routes_zeitzs_parking_permit_through_fitconnect_and_it_comes_back_accepted(
    catalogue, communes, stand_in: FitConnectStandIn, settings, django_capture_on_commit_callbacks
) -> None:
    destination = stand_in.add_destination(_demo_schemas())
    settings.KOMMUNAL_DEMO_FITCONNECT_DESTINATION = destination.id
    activate(communes.zeitz, "anwohnerparkausweis")
    with django_capture_on_commit_callbacks(execute=True):
        route_demo_parking_permit(communes.zeitz)
    with django_capture_on_commit_callbacks(execute=True):
        route_demo_parking_permit(communes.zeitz)  # bootstrap runs again: nothing new
    with tenant_context(communes.zeitz):
        assert [d.status for d in Delivery.objects.all()] == [Delivery.Status.ACCEPTED]
        assert Delivery.objects.get().request.status == "in_progress"


def test_devservices_starts_the_stand_in_and_hands_over_its_settings(monkeypatch) -> None:
    monkeypatch.delenv("FITCONNECT_CLIENT_ID", raising=False)
    assert "devservices.fitconnect" in devservices_main.MODULES
    service = STARTERS["fitconnect"](0 - 30)  # base port -30 + offset 30 = a free port
    try:
        assert service.environment["FITCONNECT_API_URL"] == service.url
        assert service.environment["KOMMUNAL_DEMO_FITCONNECT_DESTINATION"]
    finally:
        service.stop()


def test_a_real_client_keeps_the_stand_in_off(monkeypatch) -> None:
    monkeypatch.setenv("FITCONNECT_CLIENT_ID", "real-client")
    monkeypatch.setenv("FITCONNECT_API_URL", "https://submission-api.example")
    service = STARTERS["fitconnect"](8100)
    assert service.environment == {}
