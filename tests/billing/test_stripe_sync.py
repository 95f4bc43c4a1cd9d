"""The catalogue, customers and subscriptions in Stripe (a fake Stripe server on loopback)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import tenant_context

from activations.services import activate_service, deactivate_service
from audit.models import AuditEvent
from billing import services
from billing.models import BillingAccount, PendingSync, ServicePrice, Subscription
from tests.billing.conftest import priced_service

pytestmark = pytest.mark.django_db


def test_catalog_sync_is_idempotent_and_a_new_amount_takes_over_the_lookup_key(fake) -> None:
    price = priced_service(1250)
    call_command("sync_stripe_catalog")
    call_command("sync_stripe_catalog")
    prices = fake.of_type("price")
    assert len(prices) == 1
    assert len(fake.of_type("product")) == 1
    first_id = prices[0]["id"]
    assert prices[0]["lookup_key"] == price.lookup_key
    assert prices[0]["unit_amount"] == 1250
    assert prices[0]["recurring"] == {"interval": "month"}

    ServicePrice.objects.filter(pk=price.pk).update(amount_cents=1500)
    call_command("sync_stripe_catalog")
    price.refresh_from_db()
    old, new = fake.objects[first_id], fake.objects[price.stripe_price_id]
    assert new["unit_amount"] == 1500
    assert new["lookup_key"] == price.lookup_key
    assert old["lookup_key"] is None
    assert old["active"] is False


def test_customer_carries_invoice_address_and_leitweg_id(fake, communes, django_capture_on_commit_callbacks) -> None:
    contact = services.BillingContact(
        name="Stadtverwaltung Zeitz",
        email="kasse@zeitz.example",
        address_line1="Altmarkt 1",
        postal_code="06712",
        city="Zeitz",
        leitweg_id="15084590-0001-23",
    )
    with django_capture_on_commit_callbacks(execute=True):
        account = services.ensure_customer(communes.zeitz, billing_contact=contact)
    account.refresh_from_db()
    customer = fake.objects[account.stripe_customer_id]
    assert customer["email"] == "kasse@zeitz.example"
    assert customer["address"]["postal_code"] == "06712"
    assert customer["metadata"]["leitweg_id"] == "15084590-0001-23"
    assert customer["invoice_settings"]["custom_fields"] == [{"name": "Leitweg-ID", "value": "15084590-0001-23"}]
    assert not PendingSync.objects.exists()


def test_activation_and_deactivation_change_the_subscription_with_proration(
    fake, communes, django_capture_on_commit_callbacks, settings
) -> None:
    settings.KOMMUNAL_BILLING_DAYS_UNTIL_DUE = 21
    settings.STRIPE_TAX_RATE = fake.create_tax_rate({"display_name": "USt", "percentage": "19"})["id"]
    first, second = priced_service(1000), priced_service(2000)
    services.sync_catalog()
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=first.service.slug, actor="admin@zeitz.example")
    subscription = fake.of_type("subscription")[0]
    # Zeitz never gave an invoice address: it is billed to its name and its administrator.
    customer = fake.objects[subscription["customer"]]
    assert (customer["name"], customer["email"]) == ("Zeitz", "admin@zeitz.example")
    assert subscription["collection_method"] == "send_invoice"
    assert subscription["days_until_due"] == 21
    assert subscription["default_tax_rates"] == [settings.STRIPE_TAX_RATE]
    assert subscription["payment_settings"]["payment_method_types"] == ["customer_balance"]
    assert [item["price"]["unit_amount"] for item in subscription["items"]["data"]] == [1000]

    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activation = activate_service(service_slug=second.service.slug, actor="admin@zeitz.example")
    assert sorted(item["price"]["unit_amount"] for item in subscription["items"]["data"]) == [1000, 2000]
    added = [p for m, path, p in fake.requests if m == "POST" and path == "/v1/subscription_items"]
    assert added[0]["proration_behavior"] == "create_prorations"

    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        deactivate_service(activation, actor="admin@zeitz.example")
    assert [item["price"]["unit_amount"] for item in subscription["items"]["data"]] == [1000]
    removed = [p for m, path, p in fake.requests if m == "DELETE" and path.startswith("/v1/subscription_items/")]
    assert removed[0]["proration_behavior"] == "create_prorations"
    assert Subscription.objects.get().items.count() == 1
    assert {"billing.subscription_created", "billing.item_added", "billing.item_removed"} <= set(
        AuditEvent.objects.filter(commune=communes.zeitz).values_list("action", flat=True)
    )
    # Borna activated nothing: it is no Stripe customer at all.
    assert not BillingAccount.objects.filter(commune=communes.borna).exists()


def test_free_services_never_reach_stripe(fake, communes, django_capture_on_commit_callbacks) -> None:
    from tests.factories import ServiceVersionFactory

    version = ServiceVersionFactory()
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=version.service.slug, actor="a")
    assert fake.requests == []
    assert not PendingSync.objects.exists()


def test_stripe_outage_queues_the_change_and_sync_billing_sends_it_later(
    fake, communes, closed_port, settings, django_capture_on_commit_callbacks
) -> None:
    price = priced_service(1000)
    services.sync_catalog()
    working_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = closed_port
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activation = activate_service(service_slug=price.service.slug, actor="admin@zeitz.example")
    assert activation.is_active  # the commune got its service
    pending = PendingSync.objects.get(commune=communes.zeitz)
    assert pending.attempts == 1
    assert "connect" in pending.last_error.lower()
    assert fake.of_type("subscription") == []

    PendingSync.objects.update(next_attempt_at=pending.created_at)  # the retry is due
    with pytest.raises(CommandError, match="stay queued"):
        call_command("sync_billing", stdout=StringIO())
    pending.refresh_from_db()
    assert pending.attempts == 2
    assert pending.next_attempt_at > timezone.now() + timedelta(seconds=50)  # backing off

    settings.STRIPE_API_BASE = working_base
    PendingSync.objects.update(next_attempt_at=pending.created_at)  # the retry is due
    call_command("sync_billing", stdout=StringIO())
    assert not PendingSync.objects.exists()
    [subscription] = fake.of_type("subscription")
    price.refresh_from_db()
    assert [item["price"]["id"] for item in subscription["items"]["data"]] == [price.stripe_price_id]
    # Syncing again changes nothing in Stripe.
    before = len(fake.requests)
    call_command("sync_billing", "--all", stdout=StringIO())
    writes = [(method, path) for method, path, _params in fake.requests[before:] if method != "GET"]
    assert writes == [("POST", f"/v1/customers/{subscription['customer']}")]  # the address is refreshed


def test_billing_off_without_a_key(communes, settings, django_capture_on_commit_callbacks) -> None:
    settings.STRIPE_API_KEY = ""
    price = priced_service(1000)
    contact = services.BillingContact(name="Zeitz", email="kasse@zeitz.example")
    assert services.ensure_customer(communes.zeitz, billing_contact=contact) is None
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        assert activate_service(service_slug=price.service.slug, actor="a").is_active
    assert not PendingSync.objects.exists()
    assert not BillingAccount.objects.exists()


def test_set_service_price_then_sync_puts_it_into_stripe(fake) -> None:
    from tests.factories import ServiceVersionFactory

    service = ServiceVersionFactory().service
    call_command("set_service_price", service.slug, "12.50", stdout=StringIO())
    with pytest.raises(CommandError, match="no service"):
        call_command("set_service_price", "nonexistent", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="more than 0"):
        call_command("set_service_price", service.slug, "0", stdout=StringIO())
    call_command("sync_stripe_catalog", stdout=StringIO())
    [price] = fake.of_type("price")
    assert (price["unit_amount"], price["lookup_key"]) == (1250, f"kommunal-{service.slug}")
    assert fake.objects[price["product"]]["name"] == service.title_de


def test_deactivating_the_last_priced_service_cancels_and_reactivating_starts_anew(
    fake, communes, django_capture_on_commit_callbacks
) -> None:
    price = priced_service(1000)
    services.sync_catalog()
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activation = activate_service(service_slug=price.service.slug, actor="a")
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        deactivate_service(activation, actor="a")
    [first] = fake.of_type("subscription")
    assert first["status"] == "canceled"
    assert first["cancel_params"]["prorate"] == "true"
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=price.service.slug, actor="a")
    statuses = sorted(s["status"] for s in fake.of_type("subscription"))
    assert statuses == ["active", "canceled"]
    assert Subscription.objects.exclude(status="canceled").count() == 1


def test_sync_billing_all_fetches_invoices_the_webhook_missed(
    fake, communes, django_capture_on_commit_callbacks
) -> None:
    from billing.models import Invoice

    price = priced_service(1000)
    services.sync_catalog()
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=price.service.slug, actor="a")
    customer = fake.of_type("subscription")[0]["customer"]
    fake.objects["in_missed"] = {
        "id": "in_missed",
        "object": "invoice",
        "customer": customer,
        "number": "KOM-0042",
        "status": "open",
        "amount_due": 1000,
        "created": 1_790_000_000,
    }
    call_command("sync_billing", "--all", stdout=StringIO())
    invoice = Invoice.objects.get(stripe_id="in_missed")
    assert (invoice.account.commune, invoice.number, invoice.status) == (communes.zeitz, "KOM-0042", "open")


def test_offboarding_a_commune_cancels_its_subscription(fake, communes, django_capture_on_commit_callbacks) -> None:
    from operators.signals import commune_offboarded
    from tenants.models import Commune

    price = priced_service(1000)
    services.sync_catalog()
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=price.service.slug, actor="a")
    assert [s["status"] for s in fake.of_type("subscription")] == ["active"]

    Commune.objects.filter(pk=communes.zeitz.pk).update(status=Commune.Status.OFFBOARDED)
    communes.zeitz.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        commune_offboarded.send(sender=Commune, commune=communes.zeitz, actor="operator:o", export_path="x.zip")
    assert [s["status"] for s in fake.of_type("subscription")] == ["canceled"]
    assert AuditEvent.objects.filter(action="billing.subscription_canceled", commune=communes.zeitz).exists()
