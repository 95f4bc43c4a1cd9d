"""A small stateful Stripe API on loopback, for the parts of the API Kommunal uses.

localstripe (the usual choice) only knows the legacy Plans API: no Prices with lookup keys, no
``transfer_lookup_key``, no ``send_invoice`` subscriptions. This server answers the requests the
real stripe-python client sends (form-encoded, Bearer key, Idempotency-Key) the way Stripe does,
including its refusals (unknown objects, a lookup key already taken, deleting the last item).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PERIOD = {"month": 30 * 86400, "year": 365 * 86400}


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


class FakeStripe:
    """The state: objects by id, and every request received (method, path, params)."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.prorations: dict[str, int] = {}  # pending proration amounts by subscription (set by tests)
        self.lock = threading.Lock()
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [obj for obj in self.objects.values() if obj["object"] == kind]

    def get(self, kind: str, obj_id: str) -> dict[str, Any]:
        obj = self.objects.get(obj_id)
        if obj is None or obj["object"] != kind:
            raise StripeError(404, f"No such {kind}: '{obj_id}'", "resource_missing")
        return obj

    def handle(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((method, path, params))
        for pattern, route_method, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return handler(self, params, *match.groups())
        raise StripeError(404, f"Unrecognized request URL ({method}: {path})")

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
        customer = {"id": self.new_id("cus"), "object": "customer", **params}
        self.objects[customer["id"]] = customer
        return customer

    # --- subscriptions
    def _item(self, subscription: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        price = self.get("price", params["price"])
        if subscription["items"]["data"]:
            interval = subscription["items"]["data"][0]["price"]["recurring"]["interval"]
            if price["recurring"]["interval"] != interval:
                raise StripeError(400, "Subscription items must all have the same billing interval.")
        now = int(time.time())
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
            "created": int(time.time()),
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
        for item_params in params.get("items", []):
            item = self._item(subscription, item_params)
            subscription["items"]["data"].append(item)
            self.objects[item["id"]] = item
        self.objects[subscription["id"]] = subscription
        return subscription

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
        data = [i for i in self.of_type("invoice") if i["customer"] == params.get("customer")]
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


def _coerce(value: Any) -> Any:
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


ROUTES: list[tuple[str, str, Any]] = [
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
    (r"/v1/subscription_items/([^/]+)", "DELETE", FakeStripe.delete_item),
]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else url.query
        if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
            return self._send(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}})
        key = self.headers.get("Idempotency-Key")
        with state.lock:
            if key and key in state.idempotent:
                return self._send(*state.idempotent[key])
            try:
                answer = (200, state.handle(self.command, url.path, decode_form(body)))
            except StripeError as error:
                answer = (
                    error.status,
                    {"error": {"type": "invalid_request_error", "message": error.message, "code": error.code}},
                )
            if key and self.command == "POST":
                state.idempotent[key] = answer
        self._send(*answer)

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


def start() -> tuple[_Server, str]:
    """Serve a fresh FakeStripe on a free loopback port; returns the server and its base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = FakeStripe()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
