"""Webhook deliveries never run in the request, never fail it, and survive their subscription
being deleted meanwhile (issue 13)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context
from kombu.exceptions import OperationalError

from accounts.models import User
from activations.models import Activation
from citizen_requests.models import CitizenRequest
from citizen_requests.services import submit_request
from integrations import services
from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from integrations.tasks import deliver_webhook
from kommunal.api.models import IdempotencyRecord
from tenants.db import connection
from tests.api.helpers import create_key, key_client
from tests.catalog_helpers import BULKY_WASTE, activate, load_shipped_catalogue


class BlockingReceiver:
    """Answers 204 only once the test releases it: a receiver that takes its time."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.arrived.set()
                receiver.release.wait(timeout=30)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def blocking_receiver() -> Iterator[BlockingReceiver]:
    receiver = BlockingReceiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def zeitz_cleaned(communes) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Transactional tests commit into Zeitz's schema, which the flush after them does not empty."""
    yield
    with tenant_context(communes.zeitz):
        for model in (WebhookDelivery, WebhookSubscription, ApiKey, IdempotencyRecord, CitizenRequest, Activation):
            model.objects.all().delete()


def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _delivery_status(commune) -> list[str]:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        return list(WebhookDelivery.objects.values_list("status", flat=True))


def _subscribe(commune, url: str, events: list[str]) -> WebhookSubscription:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        admin = User.objects.get(email=f"admin@{commune.slug}.example")
        return services.create_subscription(url=url, events=events, actor=admin)


@pytest.mark.django_db(transaction=True)
def test_a_status_change_answers_while_the_receiver_is_still_busy(communes, zeitz_cleaned, blocking_receiver) -> None:
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    _subscribe(communes.zeitz, blocking_receiver.url, ["request.status_changed"])
    with tenant_context(communes.zeitz):
        request = submit_request(service_slug="sperrmuell", email="erika@example.org", data=BULKY_WASTE)
    client = key_client(communes.zeitz, create_key(communes.zeitz, ["requests:write", "requests:read"]))

    response = client.patch(
        f"/api/v1/requests/{request.tracking_number}/", {"status": "in_progress"}, content_type="application/json"
    )

    assert response.status_code == 200, "answered although the receiver has not answered yet"
    assert not blocking_receiver.release.is_set()
    _until(blocking_receiver.arrived.is_set, "the delivery after the response")
    blocking_receiver.release.set()
    _until(lambda: _delivery_status(communes.zeitz) == ["succeeded"], "the delivery to be recorded")


@pytest.mark.django_db(transaction=True)
def test_a_subscription_deleted_during_its_delivery_breaks_nothing(
    communes, zeitz_cleaned, blocking_receiver, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="integrations.services")
    subscription = _subscribe(communes.zeitz, blocking_receiver.url, ["service.activated"])
    client = key_client(communes.zeitz, create_key(communes.zeitz, ["webhooks:write", "webhooks:read"]))
    assert client.post(f"/api/v1/webhooks/{subscription.pk}/ping/").status_code == 202
    _until(blocking_receiver.arrived.is_set, "the delivery to start")

    assert client.delete(f"/api/v1/webhooks/{subscription.pk}/").status_code == 204
    blocking_receiver.release.set()

    _until(lambda: "deleted during the attempt" in caplog.text, "the attempt to finish")
    assert _delivery_status(communes.zeitz) == []
    assert "Traceback" not in caplog.text
    other = _subscribe(communes.zeitz, blocking_receiver.url, ["service.activated"])
    assert client.post(f"/api/v1/webhooks/{other.pk}/ping/").status_code == 202
    _until(lambda: _delivery_status(communes.zeitz) == ["succeeded"], "later deliveries to go on")


def test_an_unreachable_broker_never_fails_the_request(
    communes, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setitem(deliver_webhook.app.conf, "task_always_eager", False)

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Connection refused")

    monkeypatch.setattr(deliver_webhook, "delay", broker_down)
    subscription = _subscribe(communes.zeitz, "http://127.0.0.1:9/hook", ["service.activated"])
    client = key_client(communes.zeitz, create_key(communes.zeitz, ["webhooks:write"]))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/api/v1/webhooks/{subscription.pk}/ping/")

    assert response.status_code == 202
    assert callbacks, "the hand-over ran (and failed) after commit"
    connection.set_tenant(communes.zeitz)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0), "left for the scheduler"
    call_command("deliver_webhooks")
    connection.set_tenant(communes.zeitz)
    assert WebhookDelivery.objects.get().attempts == 1


def test_with_a_broker_the_worker_gets_the_committed_deliveries(
    communes, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setitem(deliver_webhook.app.conf, "task_always_eager", False)
    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(deliver_webhook, "delay", lambda pk: queued.append((pk, connection.schema_name)))
    subscription = _subscribe(communes.zeitz, "http://127.0.0.1:9/hook", ["service.activated"])
    client = key_client(communes.zeitz, create_key(communes.zeitz, ["webhooks:write"]))

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/webhooks/{subscription.pk}/ping/").status_code == 202

    connection.set_tenant(communes.zeitz)
    assert queued == [(WebhookDelivery.objects.get().pk, "zeitz")], "queued in the commune's schema"
    assert WebhookDelivery.objects.get().attempts == 0, "nothing was sent in the request"
