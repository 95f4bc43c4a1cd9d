"""Outbound webhooks: signed, retried with backoff, logged, and never sent across communes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from activations.services import activate_service, deactivate_service
from integrations import services, signing
from integrations.models import WebhookDelivery, WebhookSubscription
from tenants.db import connection
from tests.factories import ServiceVersionFactory
from tests.helpers import signed_in_client


class Receiver:
    """A local HTTP endpoint that records what it receives and answers with ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _subscribe(commune, url: str, events: list[str]) -> WebhookSubscription:
    connection.set_tenant(commune)
    admin = User.objects.get(email=f"admin@{commune.slug}.example")
    return services.create_subscription(url=url, events=events, actor=admin)


def test_activation_is_delivered_signed_to_the_subscriber(
    communes, receiver, django_capture_on_commit_callbacks
) -> None:
    version = ServiceVersionFactory()
    subscription = _subscribe(communes.zeitz, receiver.url, ["service.activated", "service.deactivated"])
    with django_capture_on_commit_callbacks(execute=True):
        activation = activate_service(service_slug=version.service.slug, actor="admin@zeitz.example")
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_service(activation, actor="admin@zeitz.example")
    assert receiver.received == [], "deliveries never run in the code path of the change"
    call_command("deliver_webhooks")
    connection.set_tenant(communes.zeitz)

    assert len(receiver.received) == 2
    headers, body = receiver.received[0]
    assert headers["Kommunal-Event"] == "service.activated"
    assert signing.verify(subscription.secret, headers["Kommunal-Signature"], body, now=int(time.time()))
    assert not signing.verify("another-secret", headers["Kommunal-Signature"], body, now=int(time.time()))
    assert b'"commune": "zeitz"' in body
    assert version.service.slug.encode() in body
    assert receiver.received[1][0]["Kommunal-Event"] == "service.deactivated"
    logged = list(WebhookDelivery.objects.order_by("id").values_list("event", "status", "attempts", "response_status"))
    assert logged == [("service.activated", "succeeded", 1, 204), ("service.deactivated", "succeeded", 1, 204)]


def test_a_communes_event_never_reaches_another_communes_subscription(
    communes, receiver, django_capture_on_commit_callbacks
) -> None:
    _subscribe(communes.borna, receiver.url, ["service.activated"])
    version = ServiceVersionFactory()
    connection.set_tenant(communes.zeitz)
    with django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=version.service.slug, actor="admin@zeitz.example")
    assert receiver.received == []
    connection.set_tenant(communes.borna)
    assert not WebhookDelivery.objects.exists()


def test_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    communes, receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.status = 500
    subscription = _subscribe(communes.zeitz, receiver.url, ["service.activated"])
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(subscription)
    call_command("deliver_webhooks")
    connection.set_tenant(communes.zeitz)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at is not None
    assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)

    call_command("deliver_webhooks")  # not due yet
    connection.set_tenant(communes.zeitz)
    assert WebhookDelivery.objects.get().attempts == 1

    receiver.status = 200
    with mock.patch("django.utils.timezone.now", return_value=delivery.next_attempt_at + timedelta(seconds=1)):
        call_command("deliver_webhooks")
    connection.set_tenant(communes.zeitz)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 2, 200)
    assert len(receiver.received) == 2


def test_delivery_gives_up_after_the_last_attempt(communes) -> None:
    subscription = _subscribe(communes.zeitz, "http://127.0.0.1:9/unreachable", ["service.activated"])
    delivery = services.send_test_event(subscription)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    attempted = services.attempt_delivery(delivery)
    assert attempted is not None
    assert attempted.status == "failed"
    assert attempted.next_attempt_at is None
    assert attempted.last_error


def test_backoff_grows_exponentially_and_is_capped() -> None:
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert services.backoff(30) == timedelta(hours=6)


def test_submitted_and_changed_requests_become_thin_deliveries_of_that_commune_only(
    communes, django_capture_on_commit_callbacks
) -> None:
    from citizen_requests.services import change_status, submit_request

    version = ServiceVersionFactory(service__slug="sperrmuell")
    _subscribe(communes.zeitz, "http://127.0.0.1:9/", ["request.submitted", "request.status_changed"])
    _subscribe(communes.borna, "http://127.0.0.1:9/", ["request.submitted", "request.status_changed"])
    with tenant_context(communes.zeitz):
        activate_service(service_slug="sperrmuell", actor="admin@zeitz.example")
        with django_capture_on_commit_callbacks(execute=True):
            request = submit_request(
                service_slug="sperrmuell",
                email="anna@example.org",
                data={"name": "Anna Schulz", "email": "a@example.org"},
            )
        with django_capture_on_commit_callbacks(execute=True):
            change_status(request, to_status="in_progress", actor="admin@zeitz.example", comment="")
        payloads = [d.payload for d in WebhookDelivery.objects.order_by("id")]
    assert [p["type"] for p in payloads] == ["request.submitted", "request.status_changed"]
    assert payloads[1]["data"]["tracking_number"] == request.tracking_number
    assert (payloads[1]["data"]["from_status"], payloads[1]["data"]["to_status"]) == ("received", "in_progress")
    assert payloads[0]["data"]["service"] == version.service.slug
    assert "anna@example.org" not in str(payloads)  # no personal data in the event itself
    with tenant_context(communes.borna):
        assert not WebhookDelivery.objects.exists()


@override_settings(KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE=False, DEBUG=False)
@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hook", "https://10.1.2.3/", "https://[::1]/", "https://localhost/", "http://example.org/"],
)
def test_webhooks_to_private_addresses_or_plain_http_are_refused_in_production(communes, url) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = admin.post("/api/v1/webhooks/", {"url": url, "events": ["service.activated"]}, "application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"
    connection.set_tenant(communes.zeitz)
    assert not WebhookSubscription.objects.exists()


def test_subscription_api_shows_the_secret_once_and_lists_deliveries(
    communes, receiver, django_capture_on_commit_callbacks
) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    created = admin.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["service.activated"]}, "application/json"
    )
    assert created.status_code == 201
    assert len(created.json()["secret"]) == 64
    pk = created.json()["id"]
    assert "secret" not in admin.get(f"/api/v1/webhooks/{pk}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/api/v1/webhooks/{pk}/ping/").status_code == 202
    call_command("deliver_webhooks")
    deliveries = admin.get(f"/api/v1/webhooks/{pk}/deliveries/").json()["results"]
    assert [(d["event"], d["status"]) for d in deliveries] == [("ping", "succeeded")]
    assert admin.patch(f"/api/v1/webhooks/{pk}/", {"is_active": False}, "application/json").json()["is_active"] is False
    assert admin.delete(f"/api/v1/webhooks/{pk}/").status_code == 204
    assert admin.get(f"/api/v1/webhooks/{pk}/").status_code == 404


def test_another_communes_subscription_is_invisible(communes) -> None:
    subscription = _subscribe(communes.borna, "http://127.0.0.1:9/", ["service.activated"])
    connection.set_schema_to_public()
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert admin.get(f"/api/v1/webhooks/{subscription.pk}/").status_code == 404
    assert admin.get("/api/v1/webhooks/").json()["results"] == []


def test_old_or_tampered_signatures_do_not_verify() -> None:
    body = b'{"type": "ping"}'
    header = signing.sign("secret", 1_000_000, body)
    assert signing.verify("secret", header, body, now=1_000_000 + 299)
    assert not signing.verify("secret", header, body, now=1_000_000 + 301)
    assert not signing.verify("secret", header, body + b" ", now=1_000_000)
    assert not signing.verify("secret", "garbage", body, now=1_000_000)
