"""Changes of billing state: customers, subscriptions, the catalogue's prices in Stripe.

Every change a commune makes is written to the ``PendingSync`` outbox in its own transaction and
sent to Stripe afterwards (``sync_commune``). When Stripe does not answer, the row stays and
``kommunal sync_billing`` (or the periodic task) retries it: the commune is never blocked.
Syncing compares what the commune has activated with what Stripe bills, so running it twice,
late or out of order changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from accounts.models import User
from activations.models import Activation
from audit import services as audit
from billing import stripe_api, xrechnung
from billing.models import BillingAccount, Interval, Invoice, PendingSync, ServicePrice, Subscription, SubscriptionItem
from catalog.models import Service
from tenants.models import Commune

logger = logging.getLogger(__name__)

ACTOR = "billing"
PRORATION = "create_prorations"
# Communes pay by SEPA bank transfer to the virtual IBAN Stripe prints on each invoice.
PAYMENT_SETTINGS = {
    "payment_method_types": ["customer_balance"],
    "payment_method_options": {
        "customer_balance": {
            "funding_type": "bank_transfer",
            "bank_transfer": {"type": "eu_bank_transfer", "eu_bank_transfer": {"country": "DE"}},
        }
    },
}
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class BillingContact:
    """Where a commune's invoices go."""

    name: str
    email: str
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    city: str = ""
    leitweg_id: str = ""


def from_timestamp(value: int | None) -> datetime | None:
    """A Stripe Unix timestamp as an aware datetime."""
    return datetime.fromtimestamp(value, tz=UTC) if value else None


# --- Customers and the outbox ------------------------------------------------------------------


def ensure_customer(commune: Commune, *, billing_contact: BillingContact, actor: str = ACTOR) -> BillingAccount | None:
    """Record where the commune's invoices go and create or update its Stripe customer.

    Returns ``None`` when billing is off. Never fails because Stripe is down: the customer is
    created by the outbox once Stripe answers.
    """
    if not stripe_api.enabled():
        return None
    with schema_context(get_public_schema_name()), transaction.atomic():
        account, created = BillingAccount.objects.update_or_create(commune=commune, defaults=asdict(billing_contact))
        audit.record("billing.customer_saved", actor=actor, commune=commune, target=commune.slug, created=created)
        queue_sync(commune, reason="customer")
    return account


def queue_sync(commune: Commune, *, reason: str) -> None:
    """Note that the commune's Stripe state must be brought up to date, and try once committed."""
    from billing import tasks

    with schema_context(get_public_schema_name()):
        PendingSync.objects.create(commune=commune, reason=reason, next_attempt_at=timezone.now())
    transaction.on_commit(lambda: _start_sync(tasks.sync_commune, commune.pk))


def _start_sync(task: Any, commune_id: int) -> None:
    # The outbox row is committed: if the task cannot start now, the periodic retry sends it.
    try:
        task.delay(commune_id)
    except Exception:
        logger.exception("billing sync of commune %s not started; it stays queued", commune_id)


def default_contact(commune: Commune) -> BillingContact:
    """Invoice address for a commune that never gave one: its name and its first administrator."""
    with tenant_context(commune):
        admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
    return BillingContact(name=commune.name, email=admin.email if admin else "")


def sync_commune(commune: Commune) -> bool:
    """Send the commune's pending changes to Stripe. False when Stripe failed (the rows stay queued)."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        if not BillingAccount.objects.filter(commune=commune).exists():
            contact = asdict(default_contact(commune))
            # A concurrent sync may create it first; the lock below then waits for that one.
            BillingAccount.objects.bulk_create([BillingAccount(commune=commune, **contact)], ignore_conflicts=True)
        account = BillingAccount.objects.select_for_update().select_related("commune").get(commune=commune)
        pending = list(PendingSync.objects.filter(commune=commune).values_list("pk", flat=True))
        if not pending:
            return True
        try:
            _reconcile(account, attempt=f"{pending[0]}")
        except stripe.StripeError as error:
            # Whatever Stripe confirmed before the error is stored; the rest is retried later.
            transient = isinstance(error, stripe_api.TRANSIENT_ERRORS)
            logger.log(
                logging.WARNING if transient else logging.ERROR, "billing sync of %s failed: %s", commune.slug, error
            )
            _postpone(pending, str(error))
            return False
        PendingSync.objects.filter(pk__in=pending).delete()
    return True


def _postpone(pending: list[int], error: str) -> None:
    for row in PendingSync.objects.filter(pk__in=pending):
        delay = min(timedelta(seconds=30) * 2**row.attempts, MAX_BACKOFF)
        PendingSync.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, next_attempt_at=timezone.now() + delay, last_error=error[:2000]
        )


def sync_due(*, include_all: bool = False) -> tuple[int, int]:
    """Sync every commune with a due outbox row (or every billed commune); returns (synced, failed)."""
    with schema_context(get_public_schema_name()):
        if include_all:
            PendingSync.objects.bulk_create(
                PendingSync(commune=commune, reason="reconcile", next_attempt_at=timezone.now())
                for commune in Commune.objects.filter(billing_account__isnull=False)
            )
        due = PendingSync.objects.filter(next_attempt_at__lte=timezone.now()).values("commune").distinct()
        communes = list(Commune.objects.filter(pk__in=due))
    results = [sync_commune(commune) and (not include_all or refresh_invoices(commune)) for commune in communes]
    return results.count(True), results.count(False)


def refresh_invoices(commune: Commune) -> bool:
    """Fetch the commune's recent invoices from Stripe, for events the webhook never received."""
    from billing import webhooks

    with schema_context(get_public_schema_name()):
        account = BillingAccount.objects.filter(commune=commune).exclude(stripe_customer_id="").first()
        if account is None:
            return True
        try:
            found = stripe_api.client().v1.invoices.list(params={"customer": account.stripe_customer_id, "limit": 100})
        except stripe.StripeError as error:
            logger.warning("invoices of %s not fetched: %s", commune.slug, error)
            return False
        for invoice in found.data:
            obj = invoice.to_dict()
            try:
                webhooks.check_shape(obj, webhooks.INVOICE, "invoice")
            except webhooks.UnusableEvent as unusable:
                logger.warning("invoice of %s skipped, its shape is unusable: %s", commune.slug, unusable)
                continue
            with transaction.atomic():
                webhooks.handle_invoice(obj, timezone.now(), "invoice.fetched")
    return True


def process_missed_events(*, since: datetime) -> int:
    """Run the webhook's handlers for Stripe's events since ``since`` (Stripe keeps 30 days).

    For events the webhook did not receive (the platform was down, or not yet started as during
    ``kommunal bootstrap --demo``). Oldest first; an event already processed is skipped, so a
    delivery arriving later changes nothing. Returns how many events were processed now.
    """
    from billing import webhooks

    found = stripe_api.client().v1.events.list(
        params={"types": list(webhooks.HANDLERS), "created": {"gte": int(since.timestamp())}, "limit": 100}
    )
    # Stripe lists newest first; turned around and sorted (stably) by time, they come in the order they happened.
    documents = [event.to_dict() for event in found.auto_paging_iter()][::-1]
    documents.sort(key=lambda document: document["created"])
    processed = 0
    for document in documents:
        try:
            event = webhooks.parse(document)
        except webhooks.UnusableEvent as unusable:
            logger.warning("Stripe event %s skipped, its shape is unusable: %s", document.get("id"), unusable)
            continue
        processed += webhooks.process(event)
    return processed


# --- Reconciling a commune with Stripe ---------------------------------------------------------


def customer_params(account: BillingAccount) -> dict[str, Any]:
    """The Stripe customer of a commune: invoice address, language, Leitweg-ID."""
    commune = account.commune
    return {
        "name": account.name,
        "email": account.email,
        "preferred_locales": ["de"],
        "address": {
            "line1": account.address_line1,
            "line2": account.address_line2,
            "postal_code": account.postal_code,
            "city": account.city,
            "country": "DE",
        },
        "metadata": {
            "commune_id": str(commune.pk),
            "ags": commune.ags,
            "slug": commune.slug,
            "leitweg_id": account.leitweg_id,
        },
        "invoice_settings": {
            "custom_fields": [{"name": "Leitweg-ID", "value": account.leitweg_id}] if account.leitweg_id else ""
        },
    }


def _reconcile(account: BillingAccount, *, attempt: str) -> None:
    client = stripe_api.client()
    commune = account.commune
    if not account.stripe_customer_id:
        customer = client.v1.customers.create(
            params=customer_params(account),  # type: ignore[arg-type]
            options={"idempotency_key": f"kommunal-customer-{commune.pk}-{attempt}"},
        )
        account.stripe_customer_id = customer.id
        account.save(update_fields=["stripe_customer_id"])
        audit.record("billing.customer_created", actor=ACTOR, commune=commune, target=customer.id)
    else:
        client.v1.customers.update(account.stripe_customer_id, params=customer_params(account))  # type: ignore[arg-type]
    desired = billable_prices(commune)
    for interval in Interval:
        wanted = {price.service_id: price for price in desired if price.interval == interval}
        _reconcile_subscription(client, account, interval, wanted, attempt=attempt)


def billable_prices(commune: Commune) -> list[ServicePrice]:
    """Prices (already in Stripe) of the services the commune has active; none once it is offboarded."""
    if commune.status == Commune.Status.OFFBOARDED:
        return []
    with tenant_context(commune):
        service_ids = list(Activation.objects.filter(is_active=True).values_list("service_id", flat=True))
    return list(
        ServicePrice.objects.filter(service_id__in=service_ids).exclude(stripe_price_id="").select_related("service")
    )


def _reconcile_subscription(
    client: stripe.StripeClient,
    account: BillingAccount,
    interval: str,
    wanted: dict[int, ServicePrice],
    *,
    attempt: str,
) -> None:
    commune = account.commune
    subscription = account.subscriptions.exclude(status="canceled").filter(interval=interval).first()
    if subscription is None:
        if wanted:
            _create_subscription(client, account, interval, wanted, attempt=attempt)
        return
    items = {item.service_id: item for item in subscription.items.all()}
    if not wanted:
        client.v1.subscriptions.cancel(subscription.stripe_id, params={"prorate": True, "invoice_now": True})
        subscription.status = "canceled"
        subscription.save(update_fields=["status"])
        audit.record("billing.subscription_canceled", actor=ACTOR, commune=commune, target=subscription.stripe_id)
        return
    # Add before removing: a Stripe subscription must keep at least one item.
    for service_id, price in wanted.items():
        if service_id in items:
            continue
        created = client.v1.subscription_items.create(
            params={
                "subscription": subscription.stripe_id,
                "price": price.stripe_price_id,
                "proration_behavior": PRORATION,
                "metadata": {"service": price.service.slug},
            },
            options={"idempotency_key": f"kommunal-item-{subscription.stripe_id}-{service_id}-{attempt}"},
        )
        SubscriptionItem.objects.create(
            subscription=subscription,
            service_id=service_id,
            stripe_id=created.id,
            stripe_price_id=price.stripe_price_id,
            amount_cents=price.amount_cents,
        )
        audit.record("billing.item_added", actor=ACTOR, commune=commune, target=price.service.slug, item=created.id)
    for service_id, item in items.items():
        if service_id in wanted:
            continue
        client.v1.subscription_items.delete(item.stripe_id, params={"proration_behavior": PRORATION})
        item.delete()
        audit.record("billing.item_removed", actor=ACTOR, commune=commune, target=str(service_id), item=item.stripe_id)


def _create_subscription(
    client: stripe.StripeClient,
    account: BillingAccount,
    interval: str,
    wanted: dict[int, ServicePrice],
    *,
    attempt: str,
) -> None:
    prices = list(wanted.values())
    created = client.v1.subscriptions.create(
        params={
            "customer": account.stripe_customer_id,
            "items": [{"price": p.stripe_price_id, "metadata": {"service": p.service.slug}} for p in prices],
            "collection_method": "send_invoice",
            "days_until_due": settings.KOMMUNAL_BILLING_DAYS_UNTIL_DUE,
            "payment_settings": PAYMENT_SETTINGS,
            "proration_behavior": PRORATION,
            "metadata": {"commune_id": str(account.commune_id), "interval": interval},
            **({"default_tax_rates": [settings.STRIPE_TAX_RATE]} if settings.STRIPE_TAX_RATE else {}),
        },  # type: ignore[arg-type]
        options={"idempotency_key": f"kommunal-subscription-{account.pk}-{interval}-{attempt}"},
    ).to_dict()
    subscription = Subscription.objects.create(
        account=account,
        interval=interval,
        stripe_id=created["id"],
        status=created["status"],
        state_at=from_timestamp(created["created"]) or timezone.now(),
        **period_of(created),
    )
    by_price = {p.stripe_price_id: p for p in prices}
    for item in created["items"]["data"]:
        price = by_price[item["price"]["id"]]
        SubscriptionItem.objects.create(
            subscription=subscription,
            service_id=price.service_id,
            stripe_id=item["id"],
            stripe_price_id=price.stripe_price_id,
            amount_cents=price.amount_cents,
        )
    audit.record(
        "billing.subscription_created",
        actor=ACTOR,
        commune=account.commune,
        target=created["id"],
        services=sorted(p.service.slug for p in prices),
    )


def period_of(subscription: dict[str, Any]) -> dict[str, datetime | None]:
    """The current billing period (on the items since Stripe API 2025-03-31, before on the subscription)."""
    items = subscription.get("items", {}).get("data") or [{}]
    source = items[0] if items[0].get("current_period_end") else subscription
    return {
        "current_period_start": from_timestamp(source.get("current_period_start")),
        "current_period_end": from_timestamp(source.get("current_period_end")),
    }


# --- The catalogue in Stripe -------------------------------------------------------------------


@transaction.atomic
def set_service_price(service_slug: str, *, amount_cents: int, interval: str, actor: str) -> ServicePrice:
    """Give a catalogue service its price for communes (lookup key ``kommunal-<slug>``)."""
    service = Service.objects.filter(slug=service_slug).first()
    if service is None:
        raise ValidationError(
            {"service": _("There is no service '%(slug)s' in the catalogue.") % {"slug": service_slug}}
        )
    if amount_cents <= 0:
        raise ValidationError({"amount_cents": _("The price must be more than 0 EUR.")})
    price, _created = ServicePrice.objects.update_or_create(
        service=service,
        defaults={"amount_cents": amount_cents, "interval": interval, "lookup_key": f"kommunal-{service.slug}"},
    )
    audit.record("billing.price_set", actor=actor, target=service.slug, amount=amount_cents, interval=interval)
    return price


@dataclass
class CatalogSyncResult:
    unchanged: int = 0
    created: int = 0
    replaced: int = 0


def sync_catalog() -> CatalogSyncResult:
    """Create or update a Stripe Product and Price for every priced service (idempotent).

    Stripe prices cannot change: a new amount or interval becomes a new Price that takes over the
    lookup key (``transfer_lookup_key``); the old one is archived and keeps billing the
    subscriptions that already use it.
    """
    client = stripe_api.client()
    result = CatalogSyncResult()
    prices = list(ServicePrice.objects.select_related("service").order_by("pk"))
    for price in prices:
        product_id = _ensure_product(client, price)
        found = client.v1.prices.list(params={"lookup_keys": [price.lookup_key], "active": True, "limit": 1}).data
        current = found[0] if found else None
        if current is not None and _same_price(current, price, product_id):
            result.unchanged += 1
            stripe_id = current.id
        else:
            stripe_id = client.v1.prices.create(
                params={
                    "product": product_id,
                    "currency": price.currency,
                    "unit_amount": price.amount_cents,
                    "recurring": {"interval": price.interval},  # type: ignore[typeddict-item]
                    "lookup_key": price.lookup_key,
                    "transfer_lookup_key": True,
                    "tax_behavior": "exclusive",
                    "metadata": {"service": price.service.slug},
                }
            ).id
            if current is None:
                result.created += 1
            else:
                client.v1.prices.update(current.id, params={"active": False})
                result.replaced += 1
            audit.record(
                "billing.price_synced", actor=ACTOR, target=price.lookup_key, price=stripe_id, amount=price.amount_cents
            )
        price.stripe_price_id, price.stripe_product_id = stripe_id, product_id
        price.synced_at = timezone.now()
        price.save(update_fields=["stripe_price_id", "stripe_product_id", "synced_at"])
    return result


def _ensure_product(client: stripe.StripeClient, price: ServicePrice) -> str:
    product_id = f"kommunal-{price.service.slug}"
    wanted = {"name": price.service.title_de, "description": price.service.summary_de}
    try:
        product = client.v1.products.retrieve(product_id)
    except stripe.InvalidRequestError as error:
        if error.code != "resource_missing":
            raise
        client.v1.products.create(
            params={"id": product_id, **wanted, "metadata": {"service": price.service.slug}}  # type: ignore[typeddict-item]
        )
        return product_id
    if product.name != wanted["name"] or (product.description or "") != wanted["description"]:
        client.v1.products.update(product_id, params=wanted)  # type: ignore[arg-type]
    return product_id


def _same_price(current: Any, price: ServicePrice, product_id: str) -> bool:
    return bool(
        current.unit_amount == price.amount_cents
        and current.currency == price.currency
        and current.recurring
        and current.recurring.interval == price.interval
        and current.product == product_id
    )


# --- XRechnung ---------------------------------------------------------------------------------


def save_einvoice_details(account: BillingAccount, *, changes: dict[str, Any], actor: str) -> BillingAccount:
    """Store the commune admin's invoice address and e-invoice details; re-check its invoices' XRechnung.

    The Stripe customer follows through the outbox (the Leitweg-ID is printed on Stripe's PDF too).
    """
    with schema_context(get_public_schema_name()), transaction.atomic():
        BillingAccount.objects.filter(pk=account.pk).update(**changes)
        account.refresh_from_db()
        audit.record("billing.einvoice_saved", actor=actor, commune=account.commune, target=account.commune.slug)
        for invoice in account.invoices.select_related("account__commune"):
            xrechnung.flag(invoice)
        if stripe_api.enabled():
            queue_sync(account.commune, reason="customer")
    return account


def send_xrechnung(invoice: Invoice) -> bool:
    """E-mail the invoice's XRechnung to the commune's e-invoice address; False when it cannot be valid.

    A refused invoice keeps its problem in ``xrechnung_problem`` for operators and is never sent.
    """
    try:
        document = xrechnung.build(invoice)
    except xrechnung.XRechnungError:
        xrechnung.flag(invoice)
        return False
    account = invoice.account
    message = EmailMessage(
        subject=f"XRechnung {invoice.number}",
        body=(
            f"Guten Tag,\n\nanbei erhalten Sie die Rechnung {invoice.number} als XRechnung "
            f"(Leitweg-ID {xrechnung.buyer_reference(invoice)}).\n\n{settings.KOMMUNAL_INVOICE_SELLER['name']}\n"
        ),
        to=[account.einvoice_email or account.email],
    )
    message.attach(xrechnung.filename(invoice), document, "application/xml")
    message.send()
    Invoice.objects.filter(pk=invoice.pk).update(xrechnung_sent_at=timezone.now())
    audit.record("billing.xrechnung_sent", actor=ACTOR, commune=account.commune, target=invoice.number)
    return True
