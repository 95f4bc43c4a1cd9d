"""The Stripe stand-in of ``make run``: registered, Connect-aware, and delivering signed events."""

from __future__ import annotations

import json
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import stripe

from devservices import stripe as stand_in
from devservices.__main__ import MODULES
from devservices.registry import STARTERS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def receiver() -> Any:
    """A webhook endpoint on loopback that queues what it receives."""
    received: queue.Queue[tuple[str, str]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.put((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def test_make_run_starts_it_with_the_settings_the_platform_needs(monkeypatch) -> None:
    assert "devservices.stripe" in MODULES
    assert STARTERS["stripe"] is stand_in.start
    monkeypatch.setenv("KOMMUNAL_PORT", "8377")
    service = stand_in.start(_free_port() - stand_in.PORT_OFFSET)
    try:
        assert {
            "STRIPE_API_KEY",
            "STRIPE_API_BASE",
            "STRIPE_WEBHOOK_SECRET",
            "STRIPE_CONNECT_WEBHOOK_SECRET",
            "STRIPE_TAX_RATE",
        } <= set(service.environment)
        assert service.environment["STRIPE_API_KEY"].startswith("sk_test_")
        client = stripe.StripeClient(service.environment["STRIPE_API_KEY"], base_addresses={"api": service.url})
        assert client.v1.accounts.create(params={"type": "standard"}).id.startswith("acct_")
    finally:
        service.stop()


def test_checkout_on_a_connected_account_sends_a_signed_connect_event(receiver) -> None:
    url, received = receiver
    server, base = stand_in.serve(endpoints=[stand_in.Endpoint(url, "whsec_connect", connect=True)])
    try:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": base})
        account = client.v1.accounts.create(params={"type": "standard"}).id
        with pytest.raises(stripe.InvalidRequestError, match="cannot currently make live charges"):
            client.v1.checkout.sessions.create(params=_session_params(), options={"stripe_account": account})
        link = client.v1.account_links.create(
            params={
                "account": account,
                "type": "account_onboarding",
                "return_url": "http://x/",
                "refresh_url": "http://x/",
            }
        )
        assert requests.post(link.url, data={"do": "yes"}, allow_redirects=False, timeout=5).status_code == 303
        received.get(timeout=5)  # account.updated
        session = client.v1.checkout.sessions.create(params=_session_params(), options={"stripe_account": account})
        with pytest.raises(stripe.InvalidRequestError):  # the platform itself does not see it
            client.v1.checkout.sessions.retrieve(session.id)
        with pytest.raises(stripe.PermissionError):
            client.v1.checkout.sessions.retrieve(session.id, options={"stripe_account": "acct_unknown"})
        assert session.url is not None
        page = requests.get(session.url, timeout=5)
        assert "12,50 EUR" in page.text
        paid = requests.post(session.url, data={"do": "yes"}, allow_redirects=False, timeout=5)
        assert paid.headers["Location"] == "http://portal.example/done"
        body, signature = received.get(timeout=5)
        event = stripe.Webhook.construct_event(body, signature, "whsec_connect")
        assert event.type == "checkout.session.completed"
        assert json.loads(body)["account"] == account
        assert event.data.object.payment_status == "paid"
    finally:
        server.shutdown()


def _session_params() -> Any:
    return {
        "mode": "payment",
        "line_items": [
            {"quantity": 1, "price_data": {"currency": "eur", "unit_amount": 1250, "product_data": {"name": "Gebühr"}}}
        ],
        "success_url": "http://portal.example/done",
        "cancel_url": "http://portal.example/done",
        "metadata": {"tracking_number": "ZEI-2026-AAAAAA"},
    }
