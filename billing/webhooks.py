"""Stripe webhook events: verified, recorded once, processed at most once, in any order.

Each handler compares the time of the event (``event.created``, plus the order of invoice
states for events of the same second) with the state stored from earlier events, so an event
that arrives late never overwrites a newer state.

A correctly signed event is checked against the JSON Schema of its shape (``ENVELOPE`` and the
object schema of its type) before anything uses it. An event the handlers cannot use (``[]``,
``{}``, no ``data.object``, a ``created`` that is no timestamp, an amount beyond the column, an
invoice status we do not know) is recorded as processed with the reason in ``last_error``,
logged, and acknowledged with 200: Stripe would otherwise retry it for days, and nothing of it
is stored where later events would trip over it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jsonschema
import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing import dunning, xrechnung
from billing.models import BillingAccount, Invoice, Subscription, WebhookEvent
from billing.services import from_timestamp, period_of

logger = logging.getLogger(__name__)

# Invoice states only move forward; within one second the later state wins.
INVOICE_STATE_ORDER = {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3}
SUBSCRIPTION_STATES = (
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
)

# The shapes the handlers rely on (Stripe sends more; only what is used is checked).
_TIMESTAMP = {"type": "integer", "minimum": 1, "maximum": 2**33}
_OPTIONAL_TIMESTAMP = {"type": ["integer", "null"], "minimum": 0, "maximum": 2**33}
_CENTS = {"type": ["integer", "null"], "minimum": 0, "maximum": 2**31 - 1}
_STRIPE_ID = {"type": "string", "minLength": 1, "maxLength": 255}


def _text(max_length: int) -> dict[str, Any]:
    return {"type": ["string", "null"], "maxLength": max_length}


ENVELOPE = {
    "type": "object",
    "required": ["id", "type", "created", "data"],
    "properties": {
        "id": _STRIPE_ID,
        "type": {"type": "string", "minLength": 1, "maxLength": 100},
        "created": _TIMESTAMP,
        "data": {"type": "object", "required": ["object"], "properties": {"object": {"type": "object"}}},
    },
}
INVOICE = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": _STRIPE_ID,
        "status": {"enum": list(INVOICE_STATE_ORDER)},
        "customer": _text(255),
        "number": _text(100),
        "currency": _text(3),
        "amount_due": _CENTS,
        "amount_paid": _CENTS,
        "period_start": _OPTIONAL_TIMESTAMP,
        "period_end": _OPTIONAL_TIMESTAMP,
        "due_date": _OPTIONAL_TIMESTAMP,
        "created": _OPTIONAL_TIMESTAMP,
        "hosted_invoice_url": _text(1000),
        "invoice_pdf": _text(1000),
    },
}
_PERIOD = {"current_period_start": _OPTIONAL_TIMESTAMP, "current_period_end": _OPTIONAL_TIMESTAMP}
SUBSCRIPTION = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": _STRIPE_ID,
        "status": {"enum": list(SUBSCRIPTION_STATES)},
        **_PERIOD,
        "items": {
            "type": "object",
            "properties": {"data": {"type": "array", "items": {"type": "object", "properties": _PERIOD}}},
        },
    },
}


class UnusableEvent(ValueError):
    """A correctly signed event whose shape the handlers cannot use."""


@dataclass(frozen=True)
class Event:
    """A signed Stripe event whose shape was checked: the handler may use ``object`` as it is."""

    id: str
    type: str
    created: datetime
    object: dict[str, Any]
    payload: dict[str, Any]


def verify(payload: bytes, signature: str) -> Any:
    """The decoded JSON of ``payload`` if ``signature`` is Stripe's for it.

    Raises ``ValueError`` (not UTF-8 JSON) or ``stripe.SignatureVerificationError``.
    """
    text = payload.decode("utf-8")
    stripe.WebhookSignature.verify_header(
        text, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
    )
    return json.loads(text)


def parse(document: Any) -> Event:
    """The event in a verified ``document``; ``UnusableEvent`` when its shape is not what its handler needs."""
    check_shape(document, ENVELOPE, "event")
    schema = OBJECT_SCHEMAS.get(document["type"])
    if schema is not None:
        check_shape(document["data"]["object"], schema, "data.object")
    created = from_timestamp(document["created"])
    assert created is not None  # the envelope schema requires a positive timestamp
    return Event(document["id"], document["type"], created, document["data"]["object"], document)


def check_shape(value: Any, schema: dict[str, Any], name: str) -> None:
    """Raise ``UnusableEvent`` naming the first part of ``value`` that does not match ``schema``."""
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if error is not None:
        where = ".".join([name, *(str(part) for part in error.absolute_path)])
        raise UnusableEvent(f"{where}: {error.message}"[:500])


def record_unusable(payload: bytes, document: Any, reason: str) -> None:
    """Keep an event the handlers cannot use, as processed, with the reason; log it."""
    event_id = document.get("id") if isinstance(document, dict) else None
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255:
        event_id = f"unusable_{hashlib.sha256(payload).hexdigest()[:40]}"
    event_type = document.get("type") if isinstance(document, dict) else None
    with schema_context(get_public_schema_name()):
        WebhookEvent.objects.bulk_create(
            [
                WebhookEvent(
                    event_id=event_id,
                    type=event_type[:100] if isinstance(event_type, str) else "",
                    created=timezone.now(),
                    payload=document if isinstance(document, dict) else {"body": document},
                    processed_at=timezone.now(),
                    attempts=1,
                    last_error=f"unusable: {reason}"[:2000],
                )
            ],
            ignore_conflicts=True,
        )
    logger.warning("Stripe event %s ignored, its shape is unusable: %s", event_id, reason)


def process(event: Event) -> bool:
    """Run the event's handler unless it ran before; True when it ran now.

    The event row is written first and locked while the handler runs, so a duplicate delivered
    concurrently waits and then sees it processed. A failing handler leaves it unprocessed.
    """
    with schema_context(get_public_schema_name()):
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent duplicate neither fails nor inserts twice.
        WebhookEvent.objects.bulk_create(
            [WebhookEvent(event_id=event.id, type=event.type, created=event.created, payload=event.payload)],
            ignore_conflicts=True,
        )
        try:
            with transaction.atomic():
                row = WebhookEvent.objects.select_for_update().get(event_id=event.id)
                if row.processed_at is not None:
                    return False
                handler = HANDLERS.get(event.type)
                if handler is not None:
                    handler(event.object, event.created, event.type)
                row.processed_at = timezone.now()
                row.attempts += 1
                row.last_error = ""
                row.save(update_fields=["processed_at", "attempts", "last_error"])
        except Exception as error:
            WebhookEvent.objects.filter(event_id=event.id).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            raise
    return True


def _account(customer_id: str | None) -> BillingAccount | None:
    account = (
        BillingAccount.objects.select_for_update()
        .select_related("commune")
        .filter(stripe_customer_id=customer_id)
        .first()
        if customer_id
        else None
    )
    if account is None:
        logger.warning("Stripe event for unknown customer %s ignored", customer_id)
    return account


def handle_invoice(obj: Any, at: datetime, event_type: str) -> None:
    """Store the invoice's state; move the account into or out of dunning."""
    account = _account(obj.get("customer"))
    if account is None:
        return
    stored = Invoice.objects.select_for_update().filter(stripe_id=obj["id"]).first()
    status = obj["status"]
    if stored is not None and (stored.state_at, INVOICE_STATE_ORDER.get(stored.status, 0)) > (
        at,
        INVOICE_STATE_ORDER[status],
    ):
        return  # a newer state is already known
    fields = {
        "account": account,
        "number": obj.get("number") or "",
        "status": status,
        "currency": obj.get("currency") or "eur",
        "amount_due_cents": obj.get("amount_due") or 0,
        "amount_paid_cents": obj.get("amount_paid") or 0,
        "period_start": from_timestamp(obj.get("period_start")),
        "period_end": from_timestamp(obj.get("period_end")),
        "due_date": from_timestamp(obj.get("due_date")),
        "hosted_invoice_url": obj.get("hosted_invoice_url") or "",
        "invoice_pdf": obj.get("invoice_pdf") or "",
        "created": from_timestamp(obj.get("created")) or at,
        "state_at": at,
        "stripe_data": obj,
    }
    if stored is None:
        stored = Invoice.objects.create(stripe_id=obj["id"], **fields)
    else:
        Invoice.objects.filter(pk=stored.pk).update(**fields)
        stored.refresh_from_db()
    xrechnung.flag(stored)
    if event_type in ("invoice.payment_failed", "invoice.marked_uncollectible", "invoice.overdue"):
        dunning.enter_dunning(account, since=at, reason=event_type)
    elif status == Invoice.Status.PAID:
        dunning.leave_dunning(account)


def handle_subscription(obj: Any, at: datetime, event_type: str) -> None:
    """Store the subscription's status and period; past due starts dunning, active ends it."""
    subscription = (
        Subscription.objects.select_for_update().select_related("account__commune").filter(stripe_id=obj["id"]).first()
    )
    if subscription is None:
        logger.warning("Stripe event for unknown subscription %s ignored", obj["id"])
        return
    if at < subscription.state_at:
        return  # a newer state is already known
    subscription.status = "canceled" if event_type == "customer.subscription.deleted" else obj["status"]
    subscription.state_at = at
    for name, value in period_of(obj).items():
        if value is not None:
            setattr(subscription, name, value)
    subscription.save()
    account = BillingAccount.objects.select_for_update().select_related("commune").get(pk=subscription.account_id)
    if subscription.status in dunning.OVERDUE_SUBSCRIPTION_STATES:
        dunning.enter_dunning(account, since=at, reason=f"subscription {subscription.status}")
    elif subscription.status == "active":
        dunning.leave_dunning(account)


HANDLERS: dict[str, Callable[[Any, datetime, str], None]] = {
    "invoice.finalized": handle_invoice,
    "invoice.paid": handle_invoice,
    "invoice.payment_failed": handle_invoice,
    "invoice.marked_uncollectible": handle_invoice,
    "invoice.overdue": handle_invoice,
    "invoice.voided": handle_invoice,
    "customer.subscription.updated": handle_subscription,
    "customer.subscription.deleted": handle_subscription,
}
# The shape of ``data.object`` each handled event type must have.
OBJECT_SCHEMAS: dict[str, dict[str, Any]] = {
    event_type: INVOICE if handler is handle_invoice else SUBSCRIPTION for event_type, handler in HANDLERS.items()
}
