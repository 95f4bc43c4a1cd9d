"""Stripe webhook events: verified, recorded once, processed at most once, in any order.

Each handler compares the time of the event (``event.created``, plus the order of invoice
states for events of the same second) with the state stored from earlier events, so an event
that arrives late never overwrites a newer state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing import dunning
from billing.models import BillingAccount, Invoice, Subscription, WebhookEvent
from billing.services import from_timestamp, period_of

logger = logging.getLogger(__name__)

# Invoice states only move forward; within one second the later state wins.
INVOICE_STATE_ORDER = {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3}


def verify(payload: bytes, signature: str) -> stripe.Event:
    """The event, if ``signature`` is Stripe's for ``payload``; raises ValueError or SignatureVerificationError."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)


def process(event: stripe.Event) -> bool:
    """Run the event's handler unless it ran before; True when it ran now.

    The event row is written first and locked while the handler runs, so a duplicate delivered
    concurrently waits and then sees it processed. A failing handler leaves it unprocessed.
    """
    with schema_context(get_public_schema_name()):
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent duplicate neither fails nor inserts twice.
        WebhookEvent.objects.bulk_create(
            [
                WebhookEvent(
                    event_id=event.id,
                    type=event.type,
                    created=from_timestamp(event.created) or timezone.now(),
                    payload=event.to_dict(),
                )
            ],
            ignore_conflicts=True,
        )
        try:
            with transaction.atomic():
                row = WebhookEvent.objects.select_for_update().get(event_id=event.id)
                if row.processed_at is not None:
                    return False
                handler = HANDLERS.get(event.type)
                if handler is not None:
                    handler(
                        event.to_dict()["data"]["object"], from_timestamp(event.created) or timezone.now(), event.type
                    )
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
    if stored is not None and (stored.state_at, INVOICE_STATE_ORDER[stored.status]) > (at, INVOICE_STATE_ORDER[status]):
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
    }
    if stored is None:
        Invoice.objects.create(stripe_id=obj["id"], **fields)
    else:
        Invoice.objects.filter(pk=stored.pk).update(**fields)
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
