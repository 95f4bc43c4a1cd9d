"""Outbound webhooks reach public addresses only, and exactly the address that was checked."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.models import User
from integrations import services
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.urlguard import check_webhook_url
from tenants.db import connection
from tests.api.test_webhooks import Receiver
from tests.helpers import signed_in_client

EMBEDDED_PRIVATE = [
    "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254 (cloud metadata)
    "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64 of 10.0.0.1
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://[2002:c0a8:101::1]/hook",  # 6to4 of 192.168.1.1
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "https://[::ffff:a9fe:a9fe]/hook",  # IPv4-mapped link-local
    "https://[::127.0.0.1]/hook",  # IPv4-compatible loopback
    "https://[::10.0.0.1]/hook",  # IPv4-compatible private
]


@override_settings(KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE=False, DEBUG=False)
@pytest.mark.parametrize("url", EMBEDDED_PRIVATE)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(communes, url) -> None:
    with pytest.raises(ValidationError):
        check_webhook_url(url)
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = admin.post("/api/v1/webhooks/", {"url": url, "events": ["service.activated"]}, "application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"


@override_settings(KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE=False, DEBUG=False)
@pytest.mark.parametrize("url", ["https://[64:ff9b::808:808]/hook", "https://[2606:4700::1111]/hook"])
def test_ipv6_forms_of_public_addresses_stay_allowed(url) -> None:
    check_webhook_url(url)


class _Resolver:
    """``getaddrinfo`` that answers ``answers`` one after the other for ``name`` (DNS rebinding)."""

    def __init__(self, name: str, answers: list[str]) -> None:
        self.name, self.answers, self.calls = name, answers, 0
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _delivery(commune, url: str) -> WebhookDelivery:
    connection.set_tenant(commune)
    admin = User.objects.get(email=f"admin@{commune.slug}.example")
    subscription = services.create_subscription(url=url, events=["service.activated"], actor=admin)
    delivery = services._new_delivery(subscription, "ping", {"message": "hi"})
    delivery.save()
    return delivery


def test_delivery_connects_to_the_checked_address_without_resolving_again(communes, receiver, monkeypatch) -> None:
    port = receiver.server.server_port
    resolver = _Resolver("hooks.example", ["127.0.0.1", "192.0.2.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    delivery = services.attempt_delivery(_delivery(communes.zeitz, f"http://hooks.example:{port}/hook"))
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED, delivery.last_error
    assert resolver.calls == 1, "the delivery resolved the name once and used that answer"
    headers, _body = receiver.received[0]
    assert headers["Host"] == f"hooks.example:{port}"


@override_settings(KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE=False, DEBUG=False)
def test_dns_rebinding_to_loopback_after_the_check_is_not_followed(communes, monkeypatch) -> None:
    resolver = _Resolver("hooks.example", ["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    delivery = _delivery(communes.zeitz, "https://hooks.example/hook")
    resolver.calls = 0
    connected: list[tuple[str, int]] = []

    def refuse(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    attempted = services.attempt_delivery(delivery)
    assert connected == [("93.184.216.34", 443)], "only the checked public address was dialled"
    assert attempted is not None
    delivery = attempted
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "no network" in delivery.last_error
    assert WebhookSubscription.objects.count() == 1
