"""Billing in the demo: ``kommunal bootstrap --demo`` against the Stripe stand-in, and its webhook."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from billing import demo, selectors
from billing.models import BillingAccount, Invoice, ServicePrice, Subscription
from devservices import stripe as stand_in
from kommunal.demo import DEMO_PASSWORD
from operators.models import Role
from tenants.models import Commune
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import verified_operator_client

pytestmark = pytest.mark.django_db

DEMO_SLUGS = ["zeitz", "weisswasser", "hoyerswerda", "spremberg", "borna"]
OVERDUE = "Eine Rechnung ist überfällig"  # the warning on the (German) invoices page


@pytest.fixture
def stand_in_billing(fake, communes, settings) -> stand_in.FakeStripe:
    """Billing against the stand-in as ``make run`` configures it: VAT rate and the demo seller."""
    settings.STRIPE_TAX_RATE = fake.create_tax_rate({"display_name": "USt", "percentage": "19"})["id"]
    settings.KOMMUNAL_INVOICE_SELLER = {
        name.removeprefix("KOMMUNAL_INVOICE_SELLER_").lower(): value for name, value in stand_in.DEMO_SELLER.items()
    } | {"country": "DE"}
    return fake


def bootstrap() -> None:
    call_command("bootstrap", "--demo", stdout=StringIO())


def demo_commune(slug: str) -> Commune:
    return Commune.objects.get(slug=slug)


def admin_client(slug: str):  # type: ignore[no-untyped-def]
    return signed_in_client(demo_commune(slug), f"admin@{slug}.localhost", DEMO_PASSWORD)


def test_bootstrap_demo_makes_every_demo_commune_a_customer_with_paid_and_open_invoices(stand_in_billing) -> None:
    fake = stand_in_billing
    bootstrap()

    for price in ServicePrice.objects.filter(service__slug__in=demo.PRICES):
        assert fake.objects[price.stripe_price_id]["lookup_key"] == price.lookup_key
    assert ServicePrice.objects.count() == len(demo.PRICES)
    for slug in DEMO_SLUGS:
        account = BillingAccount.objects.get(commune__slug=slug)
        assert fake.objects[account.stripe_customer_id]["metadata"]["slug"] == slug
        subscription = Subscription.objects.exclude(status="canceled").get(account=account)
        billed = {item.service.slug for item in subscription.items.all()}
        assert billed
        assert billed <= set(demo.PRICES)
        statuses = sorted(account.invoices.values_list("status", flat=True))
        # Two months paid and this month's open; Spremberg never paid last month's.
        expected = ["open", "open", "paid"] if slug == demo.DUNNING else ["open", "paid", "paid"]
        assert statuses == expected, slug
    zeitz = Subscription.objects.get(account__commune__slug="zeitz")
    assert {item.service.slug for item in zeitz.items.all()} == set(demo.PRICES)

    # Invoices of communes with a Leitweg-ID make an XRechnung; Borna has none yet and is flagged.
    assert not Invoice.objects.exclude(account__commune__slug="borna").exclude(xrechnung_problem="").exists()
    assert all("Leitweg-ID" in i.xrechnung_problem for i in Invoice.objects.filter(account__commune__slug="borna"))


def test_spremberg_is_in_dunning_and_its_admins_and_the_operators_see_it(stand_in_billing) -> None:
    operator = verified_operator_client("ops@example.org", Role.VIEWER)
    bootstrap()

    overdue = Invoice.objects.filter(status="open", due_date__lt=timezone.now())
    assert [invoice.account.commune.slug for invoice in overdue] == [demo.DUNNING]
    in_dunning = BillingAccount.objects.exclude(past_due_since=None)
    assert [account.commune.slug for account in in_dunning] == [demo.DUNNING]
    assert Subscription.objects.get(account__commune__slug=demo.DUNNING).status == "past_due"

    page = admin_client(demo.DUNNING).get("/verwaltung/rechnungen/").content.decode()
    assert OVERDUE in page
    assert overdue.get().number in page
    assert OVERDUE not in admin_client("zeitz").get("/verwaltung/rechnungen/").content.decode()

    figures = selectors.billing_figures()
    assert (figures.overdue_invoices, figures.overdue_cents) == (1, overdue.get().amount_due_cents)
    assert figures.open_invoices == len(DEMO_SLUGS) + 1  # this month's everywhere, plus Spremberg's overdue one
    overview = operator.get("/operator/billing/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    communes_table = overview[overview.index("<h2>Communes</h2>") :]
    assert communes_table.index("Spremberg") < min(communes_table.index(name) for name in ("Zeitz", "Borna"))
    filtered = operator.get("/operator/?billing=overdue", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/operator/tenants/spremberg/" in filtered
    assert "/operator/tenants/zeitz/" not in filtered


def test_bootstrap_demo_twice_bills_nothing_twice(stand_in_billing) -> None:
    fake = stand_in_billing

    def counts() -> tuple[int, ...]:
        return (
            len(fake.of_type("customer")),
            len(fake.of_type("subscription")),
            len(fake.of_type("invoice")),
            len(fake.endpoints),
            Invoice.objects.count(),
            Subscription.objects.count(),
        )

    bootstrap()
    before = counts()
    bootstrap()
    assert counts() == before
    assert before[0] == len(DEMO_SLUGS)
    assert before[3] == 1


def test_a_restarted_stand_in_gets_the_demo_customers_anew(stand_in_billing, stripe_server, settings) -> None:
    bootstrap()
    first = set(BillingAccount.objects.values_list("stripe_customer_id", flat=True))
    invoices = Invoice.objects.count()
    fresh = stand_in.FakeStripe(settings.STRIPE_API_BASE, webhook_secret=settings.STRIPE_WEBHOOK_SECRET)
    settings.STRIPE_TAX_RATE = fresh.create_tax_rate({"display_name": "USt", "percentage": "19"})["id"]
    stripe_server.state = fresh  # ``make run`` again: the stand-in remembers nothing

    bootstrap()
    second = set(BillingAccount.objects.values_list("stripe_customer_id", flat=True))
    assert not first & second
    assert all(customer in fresh.objects for customer in second)
    assert Invoice.objects.count() == invoices
    assert BillingAccount.objects.exclude(past_due_since=None).get().commune.slug == demo.DUNNING


def test_without_a_stripe_key_the_demo_bills_nothing(fake, communes, settings) -> None:
    settings.STRIPE_API_KEY = ""
    demo.seed_demo_billing([communes.zeitz, communes.borna])
    assert fake.requests == []
    assert not ServicePrice.objects.exists()
    assert not BillingAccount.objects.exists()


@pytest.mark.parametrize(
    ("key", "base"),
    [("sk_live_real", None), ("sk_test_real", "https://api.stripe.com"), ("rk_test_restricted", None)],
)
def test_a_real_stripe_account_never_gets_demo_customers(fake, communes, settings, key, base) -> None:
    settings.STRIPE_API_KEY = key
    settings.STRIPE_API_BASE = base or settings.STRIPE_API_BASE
    demo.seed_demo_billing([communes.zeitz, communes.borna])
    assert fake.requests == []
    assert not ServicePrice.objects.exists()
    assert not BillingAccount.objects.exists()


def test_the_demo_starts_even_when_the_stand_in_does_not_answer(fake, communes, settings, closed_port, caplog) -> None:
    settings.STRIPE_API_BASE = closed_port
    demo.seed_demo_billing([communes.zeitz, communes.borna])
    assert not BillingAccount.objects.exists()
    assert "demo billing not (fully) created" in caplog.text


def test_devservices_keeps_the_stand_in_off_when_a_stripe_key_is_set(monkeypatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_real")
    service = stand_in.start(8100)
    assert service.environment == {}


# --- The demo's webhook, end to end --------------------------------------------------------------


@pytest.fixture
def platform_port() -> Iterator[tuple[str, queue.Queue[tuple[str, str, str]]]]:
    """Where the stand-in delivers: a loopback server that hands each signed delivery to the test."""
    received: queue.Queue[tuple[str, str, str]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.put((self.path, body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def test_paying_on_the_hosted_invoice_page_reaches_the_demo_webhook_and_ends_dunning(
    stand_in_billing, platform_port, settings
) -> None:
    url, received = platform_port
    settings.KOMMUNAL_PUBLIC_URL = url  # the platform as the stand-in reaches it
    bootstrap()
    assert [endpoint.url for endpoint in stand_in_billing.endpoints] == [f"{url}/billing/stripe/webhook/"]
    overdue = Invoice.objects.get(account__commune__slug=demo.DUNNING, status="open", due_date__lt=timezone.now())

    # The newcomer follows the payment details of the invoice on Spremberg's invoices page to the
    # stand-in's hosted invoice page and simulates the bank transfer there.
    page = admin_client(demo.DUNNING).get("/verwaltung/rechnungen/").content.decode()
    assert f'<a href="{overdue.hosted_invoice_url}" rel="noopener">Zahlungsinformationen' in page
    assert requests.post(overdue.hosted_invoice_url, data={"do": "yes"}, timeout=5).ok

    # Every delivery (those of the bootstrap too, answered "duplicate") goes to the platform's webhook.
    platform = host_client()
    account = BillingAccount.objects.get(commune__slug=demo.DUNNING)
    deadline = timezone.now() + timedelta(seconds=15)
    while account.past_due_since is not None and timezone.now() < deadline:
        path, body, signature = received.get(timeout=10)
        answer = platform.post(path, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
        assert answer.status_code == 200, answer.content
        account.refresh_from_db()

    overdue.refresh_from_db()
    assert overdue.status == "paid"
    assert account.past_due_since is None
    assert Subscription.objects.get(account=account).status == "active"
    assert OVERDUE not in admin_client(demo.DUNNING).get("/verwaltung/rechnungen/").content.decode()


# --- Tenant isolation -------------------------------------------------------------------------------


def test_one_demo_communes_invoices_never_appear_in_another_communes_admin(stand_in_billing) -> None:
    bootstrap()
    spremberg = Invoice.objects.filter(account__commune__slug=demo.DUNNING)
    zeitz = admin_client("zeitz")
    page = zeitz.get("/verwaltung/rechnungen/").content.decode()
    for invoice in spremberg:
        assert invoice.number not in page
        assert invoice.hosted_invoice_url not in page
        assert zeitz.get(f"/verwaltung/rechnungen/{invoice.pk}/xrechnung.xml").status_code == 404
    assert OVERDUE not in page
    own = Invoice.objects.filter(account__commune__slug="zeitz").first()
    assert own is not None
    assert zeitz.get(f"/verwaltung/rechnungen/{own.pk}/xrechnung.xml").status_code == 200
