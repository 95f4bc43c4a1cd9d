"""A small stateful Stripe API on loopback, for the parts of the API Kommunal uses.

localstripe (the usual choice) only knows the legacy Plans API: no Prices with lookup keys, no
``transfer_lookup_key``, no ``send_invoice`` subscriptions, no Connect. This server answers the
requests the real stripe-python client sends (form-encoded, Bearer key, Idempotency-Key,
``Stripe-Account``) the way Stripe does, including its refusals (unknown objects, a lookup key
already taken, deleting the last item, another account's objects).

Billing follows Stripe's invoice lifecycle: a subscription's first invoice is created and finalised
with the subscription, each renewal brings the next one, ``POST /v1/invoices/<id>/pay``
(``paid_out_of_band``) pays one, and an unpaid ``send_invoice`` invoice past its due date sends
``invoice.overdue`` and turns its subscription ``past_due``. Time moves for customers on a test
clock (``/v1/test_helpers/test_clocks``, advanced synchronously: the answer is already ``ready``),
which is how the demo gets invoices of past months.

Beyond the API it plays Stripe's hosted pages on loopback: ``/connect/onboarding/<account>``
(Connect onboarding: one click enables charges), ``/checkout/<session>`` (Checkout: "pay" or
"cancel") and ``/invoices/<invoice>`` (the hosted invoice page: "simulate the bank transfer"; its PDF
at ``/invoices/<invoice>/pdf``). What happens there is sent as signed events to the webhook
endpoints (registered with ``POST /v1/webhook_endpoints`` or given to ``serve``): events of
connected accounts (with ``account``) to the Connect endpoints, the others to the platform's.

``python -m devservices run`` starts it (``start``); tests call ``serve()`` on a free port.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import itertools
import json
import os
import re
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devservices.registry import RunningService, register

API_KEY = "sk_test_kommunal_local"
WEBHOOK_SECRET = "whsec_kommunal_local_platform"  # noqa: S105 (a local stand-in's fixed secret)
CONNECT_WEBHOOK_SECRET = "whsec_kommunal_local_connect"  # noqa: S105
PORT_OFFSET = 10

DAY = 86400
PERIOD = {"month": 30 * DAY, "year": 365 * DAY}


def decode_form(body: str) -> dict[str, Any]:
    """``items[0][price]=p`` style parameters as nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_lists(node[key]) for key in sorted(node, key=int)]
        return {key: _lists(value) for key, value in node.items()}
    return node


class StripeError(Exception):
    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass
class Endpoint:
    """A webhook endpoint: Connect endpoints get the events of connected accounts, others the platform's."""

    url: str
    secret: str
    connect: bool = False
    enabled_events: list[str] = field(default_factory=lambda: ["*"])
    id: str = ""

    def wants(self, event_type: str) -> bool:
        return "*" in self.enabled_events or event_type in self.enabled_events


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload``."""
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class FakeStripe:
    """The state: objects by id, every request received (method, path, params), events and endpoints."""

    def __init__(
        self, base_url: str = "", endpoints: list[Endpoint] | None = None, webhook_secret: str = WEBHOOK_SECRET
    ) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.prorations: dict[str, int] = {}  # pending proration amounts by subscription (set by tests)
        self.events: list[dict[str, Any]] = []
        self.endpoints: list[Endpoint] = endpoints or []
        self.base_url = base_url
        self.webhook_secret = webhook_secret  # what a platform endpoint registered through the API signs with
        self.account: str | None = None  # the Stripe-Account of the request being handled
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        # Ids differ between runs: a database that outlived an earlier stand-in never finds its objects here.
        self._run = secrets.token_hex(3)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{self._run}{next(self._ids):06d}"

    def now(self, customer_id: str | None = None) -> int:
        """The time of a customer: its test clock's frozen time, otherwise the wall clock."""
        clock = (self.objects.get(customer_id or "") or {}).get("test_clock")
        return int(self.objects[clock]["frozen_time"]) if clock else int(time.time())

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [obj for obj in self.objects.values() if obj["object"] == kind]

    def get(self, kind: str, obj_id: str) -> dict[str, Any]:
        """The object, if it exists and belongs to the account of the request (the platform without one)."""
        obj = self.objects.get(obj_id)
        if obj is None or obj["object"] != kind or obj.get("_account") != self.account:
            raise StripeError(404, f"No such {kind}: '{obj_id}'", "resource_missing")
        return obj

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object of the request's account."""
        if self.account:
            obj["_account"] = self.account
        self.objects[obj["id"]] = obj
        return obj

    def handle(self, method: str, path: str, params: dict[str, Any], account: str | None = None) -> dict[str, Any]:
        self.requests.append((method, path, params))
        if account is not None:
            connected = self.objects.get(account)
            if connected is None or connected["object"] != "account":
                raise StripeError(403, f"The provided key does not have access to account '{account}'.")
        self.account = account
        for pattern, route_method, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return handler(self, params, *match.groups())
        raise StripeError(404, f"Unrecognized request URL ({method}: {path})")

    # --- events
    def emit(self, event_type: str, obj: dict[str, Any], account: str | None = None) -> dict[str, Any]:
        """Record an event and deliver it, signed, to every matching endpoint (in a thread, like Stripe)."""
        event = {
            "id": self.new_id("evt"),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "api_version": "2026-10-28.endive",
            "data": {"object": json.loads(json.dumps(public(obj)))},  # the object as it is now
        }
        if account:
            event["account"] = account
        self.events.append(event)
        body = json.dumps(event)
        for endpoint in self.endpoints:
            if endpoint.connect == bool(account) and endpoint.wants(event_type):
                threading.Thread(target=_deliver, args=(endpoint, body), daemon=True).start()
        return event

    # --- Connect accounts
    def create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        account_id = self.new_id("acct")
        account = {
            "id": account_id,
            "object": "account",
            "type": params.get("type", "standard"),
            "country": params.get("country", "DE"),
            "email": params.get("email"),
            "business_profile": params.get("business_profile", {}),
            "metadata": params.get("metadata", {}),
            "charges_enabled": False,
            "details_submitted": False,
        }
        self.objects[account_id] = account
        return account

    def create_account_link(self, params: dict[str, Any]) -> dict[str, Any]:
        account = self.get("account", params["account"])
        self.objects[account["id"]]["_return_url"] = params.get("return_url", "")
        return {
            "object": "account_link",
            "created": int(time.time()),
            "expires_at": int(time.time()) + 300,
            "url": f"{self.base_url}/connect/onboarding/{account['id']}",
        }

    def complete_onboarding(self, account_id: str) -> str:
        """What the hosted onboarding page does on "connect": enable charges; returns the return URL."""
        account = self.objects[account_id]
        account.update(charges_enabled=True, details_submitted=True)
        self.emit("account.updated", account, account=account_id)
        return str(account.get("_return_url") or "")

    # --- Checkout Sessions (mode=payment) on the platform or a connected account
    def create_checkout_session(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "payment":
            raise StripeError(400, "Only mode=payment is supported here.")
        items = params.get("line_items") or []
        if not items:
            raise StripeError(400, "line_items is required in payment mode.")
        if self.account and not self.objects[self.account]["charges_enabled"]:
            raise StripeError(400, "This account cannot currently make live charges.", "account_invalid")
        total, currency = 0, None
        for item in items:
            data = item.get("price_data") or {}
            if "unit_amount" not in data or "currency" not in data:
                raise StripeError(400, "line_items[][price_data] needs unit_amount and currency.")
            total += int(data["unit_amount"]) * int(item.get("quantity", 1))
            currency = data["currency"]
        session_id = self.new_id("cs_test")
        return self.add(
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": total,
                "currency": currency,
                "line_items": items,
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "metadata": params.get("metadata", {}),
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "payment_intent": None,
                "url": f"{self.base_url}/checkout/{session_id}",
                "created": int(time.time()),
            }
        )

    def pay(self, session_id: str) -> str:
        """What the hosted checkout page does on "pay": complete the session; returns the success URL."""
        session = self.objects[session_id]
        if session["status"] == "open":
            self.account = session.get("_account")
            intent = self.add(
                {
                    "id": self.new_id("pi"),
                    "object": "payment_intent",
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "status": "succeeded",
                    "metadata": session["metadata"],
                }
            )
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            self.emit("checkout.session.completed", session, account=session.get("_account"))
        return str(session["success_url"])

    def expire(self, session_id: str) -> str:
        """What the hosted checkout page does on "cancel": expire the session; returns the cancel URL."""
        session = self.objects[session_id]
        if session["status"] == "open":
            session.update(status="expired")
            self.emit("checkout.session.expired", session, account=session.get("_account"))
        return str(session["cancel_url"])

    def create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent = self.get("payment_intent", params["payment_intent"])
        if intent.get("refunded"):
            raise StripeError(400, f"Charge for {intent['id']} has already been refunded.", "charge_already_refunded")
        intent["refunded"] = True
        refund = self.add(
            {
                "id": self.new_id("re"),
                "object": "refund",
                "amount": intent["amount"],
                "payment_intent": intent["id"],
                "status": "succeeded",
                "metadata": intent["metadata"],
            }
        )
        self.emit("refund.created", refund, account=self.account)
        return refund

    # --- products and prices
    def create_product(self, params: dict[str, Any]) -> dict[str, Any]:
        product_id = params.get("id") or self.new_id("prod")
        if product_id in self.objects:
            raise StripeError(400, f"Product already exists: {product_id}", "resource_already_exists")
        self.objects[product_id] = {
            "id": product_id,
            "object": "product",
            "active": True,
            "description": None,
            **params,
        }
        return self.objects[product_id]

    def list_prices(self, params: dict[str, Any]) -> dict[str, Any]:
        keys = params.get("lookup_keys") or []
        data = [
            price
            for price in self.of_type("price")
            if (not keys or price.get("lookup_key") in keys)
            and ("active" not in params or price["active"] == (params["active"] == "true"))
        ]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}

    def create_price(self, params: dict[str, Any]) -> dict[str, Any]:
        self.get("product", params["product"])
        key = params.get("lookup_key")
        holders = [p for p in self.of_type("price") if key and p.get("lookup_key") == key]
        if holders and params.get("transfer_lookup_key") != "true":
            raise StripeError(400, f"A price with lookup key '{key}' already exists.")
        for holder in holders:
            holder["lookup_key"] = None
        price = {
            "id": self.new_id("price"),
            "object": "price",
            "active": True,
            "product": params["product"],
            "currency": params["currency"],
            "unit_amount": int(params["unit_amount"]),
            "recurring": {"interval": params["recurring"]["interval"]},
            "lookup_key": key,
            "tax_behavior": params.get("tax_behavior"),
            "metadata": params.get("metadata", {}),
        }
        self.objects[price["id"]] = price
        return price

    # --- customers
    def create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("test_clock"):
            self.get("test_helpers.test_clock", params["test_clock"])
        customer = {
            "id": self.new_id("cus"),
            "object": "customer",
            "created": self.now(),
            "invoice_prefix": secrets.token_hex(4).upper(),
            "test_clock": None,
            **params,
        }
        self.objects[customer["id"]] = customer
        return customer

    # --- test clocks: time of the customers created on them
    def create_test_clock(self, params: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        clock: dict[str, Any] = {
            "id": self.new_id("clock"),
            "object": "test_helpers.test_clock",
            "created": now,
            "deletes_after": now + 30 * DAY,
            "frozen_time": int(params["frozen_time"]),
            "livemode": False,
            "name": params.get("name"),
            "status": "ready",
            "status_details": {},
        }
        self.objects[clock["id"]] = clock
        return clock

    def advance_test_clock(self, params: dict[str, Any], clock_id: str) -> dict[str, Any]:
        """Move the clock to ``frozen_time``; what falls due on the way happens in order (renewals, overdue)."""
        clock = self.get("test_helpers.test_clock", clock_id)
        target = int(params["frozen_time"])
        if target <= clock["frozen_time"]:
            raise StripeError(400, "The frozen_time must be later than the test clock's current frozen_time.")
        customers = {c["id"] for c in self.of_type("customer") if c.get("test_clock") == clock_id}
        while True:
            due = self._next_due(customers, target)
            if due is None:
                break
            at, action, obj = due
            clock["frozen_time"] = at
            action(obj)
        clock["frozen_time"] = target
        return clock

    def _next_due(self, customers: set[str], until: int) -> tuple[int, Any, dict[str, Any]] | None:
        due: list[tuple[int, Any, dict[str, Any]]] = [
            (invoice["due_date"], self._overdue, invoice)
            for invoice in self.of_type("invoice")
            if invoice["customer"] in customers
            and invoice["status"] == "open"
            and invoice.get("due_date")
            and not invoice.get("_overdue")
        ]
        due += [
            (subscription["items"]["data"][0]["current_period_end"], self._renew, subscription)
            for subscription in self.of_type("subscription")
            if subscription["customer"] in customers
            and subscription["status"] != "canceled"
            and subscription["items"]["data"]
        ]
        due = [entry for entry in due if entry[0] <= until]
        return min(due, key=lambda entry: entry[0]) if due else None

    def _renew(self, subscription: dict[str, Any]) -> None:
        """A new period: every item moves on, and the period's invoice is created and finalised."""
        for item in subscription["items"]["data"]:
            start = item["current_period_end"]
            item.update(
                current_period_start=start, current_period_end=start + PERIOD[item["price"]["recurring"]["interval"]]
            )
        self.emit("customer.subscription.updated", subscription)
        self._invoice(subscription, "subscription_cycle")

    def _overdue(self, invoice: dict[str, Any]) -> None:
        """An unpaid invoice past its due date; a ``send_invoice`` subscription becomes past due."""
        invoice["_overdue"] = True
        self.emit("invoice.overdue", invoice)
        subscription = self.objects.get(_subscription_of(invoice) or "")
        if subscription and subscription["status"] == "active" and subscription["collection_method"] == "send_invoice":
            subscription["status"] = "past_due"
            self.emit("customer.subscription.updated", subscription)

    # --- tax rates
    def create_tax_rate(self, params: dict[str, Any]) -> dict[str, Any]:
        rate = {
            "id": self.new_id("txr"),
            "object": "tax_rate",
            "active": True,
            "created": int(time.time()),
            "country": params.get("country"),
            "description": params.get("description"),
            "display_name": params["display_name"],
            "inclusive": params.get("inclusive") == "true",
            "jurisdiction": params.get("jurisdiction"),
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "percentage": float(params["percentage"]),
            "tax_type": params.get("tax_type"),
        }
        self.objects[rate["id"]] = rate
        return rate

    # --- webhook endpoints and events
    def create_webhook_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("url") or not params.get("enabled_events"):
            raise StripeError(400, "A webhook endpoint needs a url and enabled_events.")
        connect = params.get("connect") == "true"
        endpoint = Endpoint(
            params["url"],
            CONNECT_WEBHOOK_SECRET if connect else self.webhook_secret,
            connect=connect,
            enabled_events=list(params["enabled_events"]),
            id=self.new_id("we"),
        )
        self.endpoints.append(endpoint)
        return {**_endpoint_object(endpoint), "secret": endpoint.secret}

    def list_webhook_endpoints(self, params: dict[str, Any]) -> dict[str, Any]:
        data = [_endpoint_object(endpoint) for endpoint in self.endpoints if endpoint.id]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/webhook_endpoints"}

    def list_events(self, params: dict[str, Any]) -> dict[str, Any]:
        """The platform's events (newest first), by ``type``/``types`` and ``created[gt|gte|lt|lte]``."""
        types = params.get("types") or ([params["type"]] if params.get("type") else [])
        created = params.get("created") or {}
        if not isinstance(created, dict):
            created = {"eq": created}
        checks = {
            "gt": lambda a, b: a > b,
            "gte": lambda a, b: a >= b,
            "lt": lambda a, b: a < b,
            "lte": lambda a, b: a <= b,
            "eq": lambda a, b: a == b,
        }
        data = [
            event
            for event in reversed(self.events)
            if "account" not in event
            and (not types or event["type"] in types)
            and all(checks[op](event["created"], int(value)) for op, value in created.items() if op in checks)
        ]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/events"}

    # --- subscriptions
    def _item(self, subscription: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        price = self.get("price", params["price"])
        if subscription["items"]["data"]:
            interval = subscription["items"]["data"][0]["price"]["recurring"]["interval"]
            if price["recurring"]["interval"] != interval:
                raise StripeError(400, "Subscription items must all have the same billing interval.")
        now = self.now(subscription["customer"])
        return {
            "id": self.new_id("si"),
            "object": "subscription_item",
            "subscription": subscription["id"],
            "price": price,
            "quantity": 1,
            "metadata": params.get("metadata", {}),
            "current_period_start": now,
            "current_period_end": now + PERIOD[price["recurring"]["interval"]],
        }

    def create_subscription(self, params: dict[str, Any]) -> dict[str, Any]:
        self.get("customer", params["customer"])
        subscription: dict[str, Any] = {
            "id": self.new_id("sub"),
            "object": "subscription",
            "status": "active",
            "created": self.now(params["customer"]),
            "customer": params["customer"],
            "collection_method": params.get("collection_method", "charge_automatically"),
            "days_until_due": int(params["days_until_due"]) if "days_until_due" in params else None,
            "payment_settings": params.get("payment_settings"),
            "proration_behavior": params.get("proration_behavior"),
            "default_tax_rates": params.get("default_tax_rates", []),
            "metadata": params.get("metadata", {}),
            "items": {"object": "list", "data": []},
        }
        if subscription["collection_method"] == "send_invoice" and subscription["days_until_due"] is None:
            raise StripeError(400, "days_until_due is required when collection_method is send_invoice.")
        for rate in subscription["default_tax_rates"]:
            self.get("tax_rate", rate)
        for item_params in params.get("items", []):
            item = self._item(subscription, item_params)
            subscription["items"]["data"].append(item)
            self.objects[item["id"]] = item
        self.objects[subscription["id"]] = subscription
        self.emit("customer.subscription.created", subscription)
        self._invoice(subscription, "subscription_create")
        return subscription

    # --- invoices
    def _invoice(self, subscription: dict[str, Any], reason: str) -> dict[str, Any]:
        """The invoice of the subscription's current period, finalised at once (Stripe waits about an hour)."""
        customer = self.objects[subscription["customer"]]
        at = self.now(customer["id"])
        rates = [public(self.objects[rate]) for rate in subscription["default_tax_rates"]]
        invoice_id = self.new_id("in")
        lines = [
            _line(self.new_id("il"), invoice_id, item, self.objects[item["price"]["product"]]["name"], rates)
            for item in subscription["items"]["data"]
        ]
        subtotal = sum(line["amount"] for line in lines)
        tax = sum(tax["amount"] for line in lines for tax in line["taxes"])
        sequence = customer["_invoices"] = customer.get("_invoices", 0) + 1
        days = subscription.get("days_until_due")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "customer": customer["id"],
            "customer_name": customer.get("name"),
            "customer_email": customer.get("email"),
            "customer_address": customer.get("address"),
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": subscription["id"], "metadata": subscription["metadata"]},
            },
            "billing_reason": reason,
            "collection_method": subscription["collection_method"],
            "status": "open",
            "number": f"{customer['invoice_prefix']}-{sequence:04d}",
            "currency": "eur",
            "created": at,
            "period_start": lines[0]["period"]["start"] if lines else at,
            "period_end": lines[0]["period"]["end"] if lines else at,
            "due_date": at + int(days) * DAY if days is not None else None,
            "subtotal": subtotal,
            "total": subtotal + tax,
            "total_taxes": [tax for line in lines for tax in line["taxes"]],
            "amount_due": subtotal + tax,
            "amount_paid": 0,
            "amount_remaining": subtotal + tax,
            "default_tax_rates": rates,
            "custom_fields": (customer.get("invoice_settings") or {}).get("custom_fields") or None,
            "lines": {"object": "list", "data": lines, "has_more": False, "url": f"/v1/invoices/{invoice_id}/lines"},
            "hosted_invoice_url": f"{self.base_url}/invoices/{invoice_id}",
            "invoice_pdf": f"{self.base_url}/invoices/{invoice_id}/pdf",
            "paid_out_of_band": False,
            "status_transitions": {
                "finalized_at": at,
                "paid_at": None,
                "marked_uncollectible_at": None,
                "voided_at": None,
            },
            "test_clock": customer.get("test_clock"),
            "livemode": False,
        }
        self.objects[invoice_id] = invoice
        self.emit("invoice.finalized", invoice)
        return invoice

    def pay_invoice(self, params: dict[str, Any], invoice_id: str) -> dict[str, Any]:
        """Pay an open invoice; money here arrives by bank transfer, recorded as paid out of band."""
        invoice = self.get("invoice", invoice_id)
        if invoice["status"] not in ("open", "uncollectible"):
            raise StripeError(400, f"Invoice is already {invoice['status']}.", "invoice_not_open")
        if params.get("paid_out_of_band") != "true":
            raise StripeError(400, "Invoices paid by bank transfer are paid here with paid_out_of_band=true.")
        invoice.update(
            status="paid",
            paid_out_of_band=True,
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
        )
        invoice["status_transitions"]["paid_at"] = self.now(invoice["customer"])
        self.emit("invoice.paid", invoice)
        subscription = self.objects.get(_subscription_of(invoice) or "")
        if subscription and subscription["status"] == "past_due" and not self._overdue_invoices(subscription["id"]):
            subscription["status"] = "active"
            self.emit("customer.subscription.updated", subscription)
        return invoice

    def _overdue_invoices(self, subscription_id: str) -> list[dict[str, Any]]:
        return [
            invoice
            for invoice in self.of_type("invoice")
            if _subscription_of(invoice) == subscription_id and invoice["status"] == "open" and invoice.get("_overdue")
        ]

    def cancel_subscription(self, params: dict[str, Any], obj_id: str) -> dict[str, Any]:
        subscription = self.get("subscription", obj_id)
        subscription["status"] = "canceled"
        subscription["cancel_params"] = params
        return subscription

    def create_item(self, params: dict[str, Any]) -> dict[str, Any]:
        subscription = self.get("subscription", params["subscription"])
        if subscription["status"] == "canceled":
            raise StripeError(400, "This subscription is canceled.")
        item = self._item(subscription, params)
        item["proration_behavior"] = params.get("proration_behavior")
        subscription["items"]["data"].append(item)
        self.objects[item["id"]] = item
        return item

    def delete_item(self, params: dict[str, Any], obj_id: str) -> dict[str, Any]:
        item = self.get("subscription_item", obj_id)
        subscription = self.get("subscription", item["subscription"])
        if len(subscription["items"]["data"]) == 1:
            raise StripeError(400, "A subscription must have at least one active plan.")
        subscription["items"]["data"] = [i for i in subscription["items"]["data"] if i["id"] != obj_id]
        del self.objects[obj_id]
        return {
            "id": obj_id,
            "object": "subscription_item",
            "deleted": True,
            "proration_behavior": params.get("proration_behavior"),
        }

    def preview_invoice(self, params: dict[str, Any]) -> dict[str, Any]:
        subscription = self.get("subscription", params["subscription"])
        items = subscription["items"]["data"]
        return {
            "id": "upcoming_fake",
            "object": "invoice",
            "customer": subscription["customer"],
            "amount_due": sum(item["price"]["unit_amount"] for item in items)
            + self.prorations.get(subscription["id"], 0),
            "period_start": items[0]["current_period_start"],
            "period_end": items[0]["current_period_end"],
        }

    def list_invoices(self, params: dict[str, Any]) -> dict[str, Any]:
        data = [
            invoice
            for invoice in sorted(self.of_type("invoice"), key=lambda i: i.get("created") or 0, reverse=True)
            if invoice["customer"] == params.get("customer")
            and params.get("status", invoice["status"]) == invoice["status"]
            and params.get("subscription", _subscription_of(invoice)) == _subscription_of(invoice)
        ]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/invoices"}

    def subscription_of(self, customer_id: str) -> dict[str, Any]:
        return next(
            s for s in self.of_type("subscription") if s["customer"] == customer_id and s["status"] != "canceled"
        )


def _retrieve(kind: str) -> Any:
    return lambda state, params, obj_id: state.get(kind, obj_id)


def _update(kind: str) -> Any:
    def handler(state: FakeStripe, params: dict[str, Any], obj_id: str) -> dict[str, Any]:
        obj = state.get(kind, obj_id)
        for key, value in params.items():
            obj[key] = _coerce(value)
        return obj

    return handler


def _subscription_of(invoice: dict[str, Any]) -> str | None:
    return ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")


def _line(
    line_id: str, invoice_id: str, item: dict[str, Any], product: str, rates: list[dict[str, Any]]
) -> dict[str, Any]:
    """An invoice line of a subscription item for its current period, taxed at the subscription's rates."""
    price = item["price"]
    amount = int(price["unit_amount"]) * int(item["quantity"])
    taxes = [
        {
            "amount": round(amount * rate["percentage"] / 100),
            "tax_behavior": "exclusive",
            "tax_rate_details": {"tax_rate": rate["id"]},
            "taxability_reason": "standard_rated",
            "taxable_amount": amount,
            "type": "tax_rate_details",
        }
        for rate in rates
    ]
    return {
        "id": line_id,
        "object": "line_item",
        "invoice": invoice_id,
        "amount": amount,
        "currency": price["currency"],
        "description": f"{item['quantity']} \N{MULTIPLICATION SIGN} {product} (at €{price['unit_amount'] / 100:.2f} / {price['recurring']['interval']})",
        "period": {"start": item["current_period_start"], "end": item["current_period_end"]},
        "quantity": item["quantity"],
        "taxes": taxes,
        "pricing": {"type": "price_details", "price_details": {"price": price["id"], "product": price["product"]}},
        "parent": {
            "type": "subscription_item_details",
            "subscription_item_details": {"subscription": item["subscription"], "subscription_item": item["id"]},
        },
    }


def _endpoint_object(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "object": "webhook_endpoint",
        "url": endpoint.url,
        "enabled_events": endpoint.enabled_events,
        "status": "enabled",
        "livemode": False,
        "metadata": {},
    }


def _coerce(value: Any) -> Any:
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the API shows it (without the server's bookkeeping)."""
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def _deliver(endpoint: Endpoint, body: str) -> None:
    request = urllib.request.Request(  # noqa: S310 (http URLs of the endpoints the stand-in was given)
        endpoint.url,
        data=body.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(body, endpoint.secret)},
    )
    # An unreachable endpoint loses nothing for good: the event stays in ``events`` (Stripe would retry).
    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (loopback endpoints of the demo)


ROUTES: list[tuple[str, str, Any]] = [
    (r"/v1/accounts", "POST", FakeStripe.create_account),
    (r"/v1/accounts/([^/]+)", "GET", _retrieve("account")),
    (r"/v1/account_links", "POST", FakeStripe.create_account_link),
    (r"/v1/checkout/sessions", "POST", FakeStripe.create_checkout_session),
    (r"/v1/checkout/sessions/([^/]+)", "GET", _retrieve("checkout.session")),
    (r"/v1/refunds", "POST", FakeStripe.create_refund),
    (r"/v1/products", "POST", FakeStripe.create_product),
    (r"/v1/products/([^/]+)", "GET", _retrieve("product")),
    (r"/v1/products/([^/]+)", "POST", _update("product")),
    (r"/v1/prices", "GET", FakeStripe.list_prices),
    (r"/v1/prices", "POST", FakeStripe.create_price),
    (r"/v1/prices/([^/]+)", "POST", _update("price")),
    (r"/v1/customers", "POST", FakeStripe.create_customer),
    (r"/v1/customers/([^/]+)", "GET", _retrieve("customer")),
    (r"/v1/customers/([^/]+)", "POST", _update("customer")),
    (r"/v1/subscriptions", "POST", FakeStripe.create_subscription),
    (r"/v1/subscriptions/([^/]+)", "GET", _retrieve("subscription")),
    (r"/v1/subscriptions/([^/]+)", "DELETE", FakeStripe.cancel_subscription),
    (r"/v1/subscription_items", "POST", FakeStripe.create_item),
    (r"/v1/invoices/create_preview", "POST", FakeStripe.preview_invoice),
    (r"/v1/invoices", "GET", FakeStripe.list_invoices),
    (r"/v1/invoices/([^/]+)", "GET", _retrieve("invoice")),
    (r"/v1/invoices/([^/]+)/pay", "POST", FakeStripe.pay_invoice),
    (r"/v1/tax_rates", "POST", FakeStripe.create_tax_rate),
    (r"/v1/tax_rates/([^/]+)", "GET", _retrieve("tax_rate")),
    (r"/v1/test_helpers/test_clocks", "POST", FakeStripe.create_test_clock),
    (r"/v1/test_helpers/test_clocks/([^/]+)", "GET", _retrieve("test_helpers.test_clock")),
    (r"/v1/test_helpers/test_clocks/([^/]+)/advance", "POST", FakeStripe.advance_test_clock),
    (r"/v1/webhook_endpoints", "POST", FakeStripe.create_webhook_endpoint),
    (r"/v1/webhook_endpoints", "GET", FakeStripe.list_webhook_endpoints),
    (r"/v1/events", "GET", FakeStripe.list_events),
    (r"/v1/subscription_items/([^/]+)", "DELETE", FakeStripe.delete_item),
]


HOSTED_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}button{{font-size:1.1rem;padding:.5rem 1rem}}</style>
</head><body><p>Lokaler Stripe-Ersatz (devservices), keine echte Zahlung.</p><h1>{title}</h1>{body}
<form method="post" action="{action}"><button type="submit" name="do" value="yes">{button}</button>{cancel}</form>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else url.query
        if not url.path.startswith("/v1/"):
            return self._hosted_page(url.path, decode_form(body) if self.command == "POST" else {})
        if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
            return self._send(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}})
        key = self.headers.get("Idempotency-Key")
        account = self.headers.get("Stripe-Account")
        with state.lock:
            if key and key in state.idempotent:
                return self._send(*state.idempotent[key])
            try:
                answer = (200, public(state.handle(self.command, url.path, decode_form(body), account)))
            except StripeError as error:
                answer = (
                    error.status,
                    {"error": {"type": "invalid_request_error", "message": error.message, "code": error.code}},
                )
            if key and self.command == "POST":
                state.idempotent[key] = answer
        self._send(*answer)

    def _hosted_page(self, path: str, form: dict[str, Any]) -> None:
        """Stripe's hosted onboarding, checkout and invoice pages, reduced to one button each."""
        state = self.server.state
        invoice = re.fullmatch(r"/invoices/([A-Za-z0-9_]+)(/pdf)?", path)
        if invoice:
            return self._invoice_page(invoice.group(1), pdf=bool(invoice.group(2)), form=form)
        match = re.fullmatch(r"/(checkout|connect/onboarding)/([A-Za-z0-9_]+)", path)
        obj = state.objects.get(match.group(2)) if match else None
        if match is None or obj is None:
            return self._html(404, "<h1>Not found</h1>")
        with state.lock:
            if self.command == "POST" and match.group(1) == "checkout":
                return self._redirect(state.pay(obj["id"]) if form.get("do") == "yes" else state.expire(obj["id"]))
            if self.command == "POST":
                return self._redirect(state.complete_onboarding(obj["id"]))
        if match.group(1) == "checkout":
            amount = f"{obj['amount_total'] / 100:.2f}".replace(".", ",")
            names = ", ".join(i["price_data"].get("product_data", {}).get("name", "") for i in obj["line_items"])
            page = HOSTED_PAGE.format(
                title="Checkout",
                body=f"<p>{html.escape(names)}</p><p><strong>{amount} {html.escape(obj['currency'].upper())}</strong></p>"
                + ("" if obj["status"] == "open" else f"<p>Status: {html.escape(obj['status'])}</p>"),
                action=html.escape(path),
                button="Bezahlen",
                cancel='<button type="submit" name="do" value="no">Abbrechen</button>',
            )
        else:
            page = HOSTED_PAGE.format(
                title="Stripe Connect",
                body=f"<p>Konto {html.escape(obj['id'])}</p>",
                action=html.escape(path),
                button="Konto verbinden",
                cancel="",
            )
        self._html(200, page)

    def _invoice_page(self, invoice_id: str, *, pdf: bool, form: dict[str, Any]) -> None:
        """The hosted invoice page ("simulate the bank transfer" pays it) and the invoice's PDF."""
        state = self.server.state
        invoice = state.objects.get(invoice_id)
        if invoice is None or invoice["object"] != "invoice":
            return self._html(404, "<h1>Not found</h1>")
        if self.command == "POST" and not pdf:
            with state.lock:
                if form.get("do") == "yes" and invoice["status"] in ("open", "uncollectible"):
                    state.account = None
                    state.pay_invoice({"paid_out_of_band": "true"}, invoice_id)
            return self._redirect(f"/invoices/{invoice_id}")
        if pdf:
            return self._pdf(invoice)
        amount = f"{invoice['amount_due'] / 100:.2f}".replace(".", ",")
        lines = "".join(f"<li>{html.escape(line['description'])}</li>" for line in invoice["lines"]["data"])
        payable = invoice["status"] in ("open", "uncollectible")
        page = HOSTED_PAGE.format(
            title=f"Rechnung {html.escape(invoice['number'] or invoice['id'])}",
            body=f"<ul>{lines}</ul><p><strong>{amount} EUR</strong> (brutto), Status: {html.escape(invoice['status'])}</p>"
            + f'<p><a href="/invoices/{html.escape(invoice_id)}/pdf">PDF</a></p>',
            action=f"/invoices/{html.escape(invoice_id)}",
            button="Überweisung simulieren" if payable else "Aktualisieren",
            cancel="",
        )
        self._html(200, page)

    def _pdf(self, invoice: dict[str, Any]) -> None:
        from fpdf import FPDF

        document = FPDF()
        document.add_page()
        document.set_font("Helvetica", "B", 14)
        document.cell(0, 10, f"Rechnung {invoice['number']}", new_x="LMARGIN", new_y="NEXT")
        document.set_font("Helvetica", size=10)
        document.cell(0, 6, "Lokaler Stripe-Ersatz (devservices), keine echte Rechnung.", new_x="LMARGIN", new_y="NEXT")
        for line in invoice["lines"]["data"]:
            text = f"{line['description']}: {line['amount'] / 100:.2f} EUR netto".replace("€", "EUR ")
            document.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        document.cell(
            0,
            6,
            f"Gesamt: {invoice['total'] / 100:.2f} EUR, Status: {invoice['status']}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        data = bytes(document.output())
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _html(self, status: int, page: str) -> None:
        data = page.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(303)
        self.send_header("Location", location or "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_fake")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FakeStripe


def serve(port: int = 0, endpoints: list[Endpoint] | None = None) -> tuple[_Server, str]:
    """Serve a fresh FakeStripe on loopback (a free port by default); returns the server and its base URL."""
    server = _Server(("127.0.0.1", port), _Handler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    server.state = FakeStripe(base_url, endpoints)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base_url


# The provider as seller on the demo's XRechnungen (KOMMUNAL_INVOICE_SELLER_*, docs/billing.md).
DEMO_SELLER = {
    "KOMMUNAL_INVOICE_SELLER_NAME": "Kommunal Demo-Dienstleister GmbH",
    "KOMMUNAL_INVOICE_SELLER_STREET": "Am Markt 1",
    "KOMMUNAL_INVOICE_SELLER_POSTAL_CODE": "04109",
    "KOMMUNAL_INVOICE_SELLER_CITY": "Leipzig",
    "KOMMUNAL_INVOICE_SELLER_VAT_ID": "DE999999999",
    "KOMMUNAL_INVOICE_SELLER_IBAN": "DE02120300000000202051",
    "KOMMUNAL_INVOICE_SELLER_BIC": "BYLADEM1001",
    "KOMMUNAL_INVOICE_SELLER_CONTACT_NAME": "Rechnungsstelle",
    "KOMMUNAL_INVOICE_SELLER_CONTACT_PHONE": "+49 341 0000000",
    "KOMMUNAL_INVOICE_SELLER_CONTACT_EMAIL": "rechnung@kommunal.localhost",
}


@register("stripe")
def start(base_port: int) -> RunningService:
    """The stand-in for ``make run``; a configured ``STRIPE_API_KEY`` (a real account) keeps it off.

    The platform's billing webhook endpoint is registered by ``kommunal bootstrap --demo`` through the
    API (events then go to ``KOMMUNAL_PORT``); Connect events go to the payments webhook from the start.
    VAT is a 19 % tax rate created here (``STRIPE_TAX_RATE``).
    """
    if os.environ.get("STRIPE_API_KEY"):
        return RunningService(name="stripe", url="(STRIPE_API_KEY configured: the stand-in stays off)")
    platform = f"http://localhost:{os.environ.get('KOMMUNAL_PORT', '8000')}"
    server, base_url = serve(
        base_port + PORT_OFFSET,
        [Endpoint(f"{platform}/payments/stripe/webhook/", CONNECT_WEBHOOK_SECRET, connect=True)],
    )
    vat = server.state.create_tax_rate({"display_name": "USt", "percentage": "19", "country": "DE", "tax_type": "vat"})

    def stop() -> None:
        server.shutdown()
        server.server_close()

    seller = {name: value for name, value in DEMO_SELLER.items() if not os.environ.get(name)}
    return RunningService(
        name="stripe",
        url=base_url,
        environment={
            "STRIPE_API_KEY": API_KEY,
            "STRIPE_API_BASE": base_url,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_WEBHOOK_SECRET,
            "STRIPE_TAX_RATE": vat["id"],
            **seller,
        },
        stop=stop,
    )
