"""Billing in the demo of ``make run``: the demo communes as customers of the local Stripe stand-in.

Everything goes through the billing services against the stand-in (``devservices/stripe.py``) with
stripe-python, as it would against Stripe: the catalogue prices are synced, each commune gets its
customer and a subscription for its priced services, and the invoices of the last two months are
made by a Stripe test clock: paid ones, the current open one, and for Spremberg an overdue one
(dunning). The events the stand-in sent meanwhile are fetched and processed as the webhook would
(the server is not running yet during ``bootstrap``); later ones arrive at the registered endpoint.

Nothing here runs when billing is off (no ``STRIPE_API_KEY``) or when the key is not the stand-in's
(``stand_in_configured``): a real Stripe account never gets demo customers.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing import services, stripe_api, webhooks
from billing.models import BillingAccount, PendingSync, ServicePrice
from billing.services import BillingContact
from tenants.models import Commune

logger = logging.getLogger(__name__)

ACTOR = "demo"
# Net monthly prices (cents) of the catalogue services the demo communes pay for.
PRICES = {
    "anwohnerparkausweis": 4900,
    "maengelmelder": 2900,
    "sperrmuell": 1900,
    "hundesteuer": 1900,
    "meldebescheinigung": 1500,
}
# The demo communes have been customers for two months and a bit when the demo starts.
CUSTOMER_FOR = timedelta(days=65)
DAY = timedelta(days=1)
DUNNING = "spremberg"


@dataclass(frozen=True)
class DemoAccount:
    contact: BillingContact
    einvoice_email: str


def _account(name: str, slug: str, street: str, postal_code: str, city: str, leitweg_id: str = "") -> DemoAccount:
    contact = BillingContact(
        name=name,
        email=f"kasse@{slug}.example",
        address_line1=street,
        postal_code=postal_code,
        city=city,
        leitweg_id=leitweg_id,
    )
    return DemoAccount(contact, f"erechnung@{slug}.example")


# Borna has no Leitweg-ID yet (but requires one): its invoices show operators what a refused XRechnung looks like.
ACCOUNTS = {
    "zeitz": _account("Stadt Zeitz", "zeitz", "Altmarkt 1", "06712", "Zeitz", "15084590-0001-56"),
    "weisswasser": _account(
        "Stadt Weißwasser/O.L.", "weisswasser", "Marktplatz 1", "02943", "Weißwasser/O.L.", "14626600-0001-32"
    ),
    "hoyerswerda": _account("Stadt Hoyerswerda", "hoyerswerda", "Markt 1", "02977", "Hoyerswerda", "14625240-0001-86"),
    "spremberg": _account("Stadt Spremberg", "spremberg", "Am Markt 1", "03130", "Spremberg", "12071372-0001-35"),
    "borna": _account("Stadt Borna", "borna", "Markt 1", "04552", "Borna"),
}


def stand_in_configured() -> bool:
    """Whether billing talks to the local stand-in: a test key and an API base on this machine."""
    host = urlsplit(settings.STRIPE_API_BASE).hostname or ""
    if not settings.STRIPE_API_KEY.startswith("sk_test_") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url() -> str:
    """Where the platform receives Stripe's events."""
    return settings.KOMMUNAL_PUBLIC_URL + reverse(
        "billing_public:stripe-webhook", urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )


def register_webhook_endpoint(client: stripe.StripeClient, url: str) -> None:
    """Register ``url`` for the events the webhook handles, unless it is registered already."""
    if any(endpoint.url == url for endpoint in client.v1.webhook_endpoints.list(params={"limit": 100}).data):
        return
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": url, "enabled_events": list(webhooks.HANDLERS), "description": "Kommunal billing (demo)"}  # type: ignore[arg-type]
    )
    if endpoint.secret != settings.STRIPE_WEBHOOK_SECRET:
        logger.warning("the webhook endpoint %s signs with another secret than STRIPE_WEBHOOK_SECRET", url)


def seed_demo_billing(communes: list[Commune]) -> None:
    """Make the demo communes customers with subscriptions, invoices and one commune in dunning (idempotent)."""
    if not stripe_api.enabled():
        return
    if not stand_in_configured():
        logger.warning("STRIPE_API_KEY is not the local stand-in's: no demo billing is created in that account")
        return
    try:
        _seed(stripe_api.client(), communes)
    except stripe.StripeError as error:  # the demo still starts, with what billing state there is
        logger.error("demo billing not (fully) created, the Stripe stand-in failed: %s", error)


def _seed(client: stripe.StripeClient, communes: list[Commune]) -> None:
    started = timezone.now()
    register_webhook_endpoint(client, webhook_url())
    for slug, cents in PRICES.items():
        price = ServicePrice.objects.filter(service__slug=slug).first()
        if price is None or price.amount_cents != cents:
            services.set_service_price(slug, amount_cents=cents, interval="month", actor=ACTOR)
    services.sync_catalog()
    for commune in communes:
        if commune.slug in ACCOUNTS and not _known_to_stripe(client, commune):
            _make_customer(client, commune, ACCOUNTS[commune.slug])
    services.process_missed_events(since=started - timedelta(minutes=5))


def _known_to_stripe(client: stripe.StripeClient, commune: Commune) -> bool:
    """Whether the commune is a subscribed customer of this stand-in; otherwise forget its billing rows.

    The stand-in keeps its objects in memory: after a restart the database still holds the ids of
    the last one, which this one has never heard of. A bootstrap that stopped halfway starts over too.
    """
    with schema_context(get_public_schema_name()):
        account = BillingAccount.objects.filter(commune=commune).first()
        if account is None:
            return False
        if account.stripe_customer_id and account.subscriptions.exclude(status="canceled").exists():
            try:
                client.v1.customers.retrieve(account.stripe_customer_id)
                return True
            except stripe.InvalidRequestError as error:
                if error.code != "resource_missing":
                    raise
        with transaction.atomic():
            PendingSync.objects.filter(commune=commune).delete()
            account.delete()  # with its subscriptions and invoices
    return False


def _make_customer(client: stripe.StripeClient, commune: Commune, demo: DemoAccount) -> None:
    """A customer on a test clock two months back, its subscription, and the invoices since then."""
    start = timezone.now() - CUSTOMER_FOR
    with schema_context(get_public_schema_name()):
        with transaction.atomic():
            account = services.ensure_customer(commune, billing_contact=demo.contact, actor=ACTOR)
            assert account is not None  # billing is on
            account.einvoice_email = demo.einvoice_email
            clock = client.v1.test_helpers.test_clocks.create(
                params={"frozen_time": int(start.timestamp()), "name": f"Kommunal demo {commune.slug}"}
            )
            # The one step the services do not take: a customer on a test clock (its time is the clock's).
            account.stripe_customer_id = client.v1.customers.create(
                params={**services.customer_params(account), "test_clock": clock.id}  # type: ignore[arg-type]
            ).id
            account.save(update_fields=["einvoice_email", "stripe_customer_id"])
        services.sync_commune(commune)  # the subscription, with its first invoice (unless the queue ran it)
        # Each month's invoice is paid within a day, except Spremberg's second: overdue since five days.
        for day, pay in ((1, True), (31, commune.slug != DUNNING)):
            client.v1.test_helpers.test_clocks.advance(
                clock.id, params={"frozen_time": int((start + day * DAY).timestamp())}
            )
            if pay:
                _pay_open_invoices(client, account.stripe_customer_id)
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": int(timezone.now().timestamp())})


def _pay_open_invoices(client: stripe.StripeClient, customer: str) -> None:
    for invoice in client.v1.invoices.list(params={"customer": customer, "status": "open"}).data:
        client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})  # type: ignore[arg-type]
