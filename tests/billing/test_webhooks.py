"""Stripe's webhook: signed, recorded once, order-independent, and driving dunning."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from billing import dunning, webhooks
from billing.models import BillingAccount, Invoice, Subscription, WebhookEvent
from tenants import actions
from tenants.models import Commune, StatusTransition
from tests.billing.conftest import WEBHOOK_SECRET, deliver, event

pytestmark = pytest.mark.django_db

NOW = int(time.time())


@pytest.fixture
def zeitz_account(fake, communes) -> BillingAccount:
    account = BillingAccount.objects.create(
        commune=communes.zeitz, stripe_customer_id="cus_zeitz", name="Stadt Zeitz", email="kasse@zeitz.example"
    )
    Subscription.objects.create(
        account=account,
        interval="month",
        stripe_id="sub_zeitz",
        status="active",
        state_at=timezone.now() - timedelta(days=1),
    )
    return account


def invoice(
    status: str, *, invoice_id: str = "in_zeitz_1", customer: str = "cus_zeitz", due: int | None = None
) -> dict:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "number": "KOM-0001",
        "status": status,
        "currency": "eur",
        "amount_due": 1250,
        "amount_paid": 1250 if status == "paid" else 0,
        "period_start": NOW - 30 * 86400,
        "period_end": NOW,
        "due_date": due or NOW + 30 * 86400,
        "created": NOW - 60,
        "hosted_invoice_url": "https://invoice.stripe.com/i/zeitz",
        "invoice_pdf": "https://pay.stripe.com/invoice/zeitz/pdf",
    }


def subscription(status: str) -> dict:
    return {
        "id": "sub_zeitz",
        "object": "subscription",
        "customer": "cus_zeitz",
        "status": status,
        "items": {"data": []},
    }


def test_signed_event_is_stored(zeitz_account) -> None:
    response = deliver(event("invoice.finalized", invoice("open"), created=NOW))
    assert response.status_code == 200
    stored = Invoice.objects.get(stripe_id="in_zeitz_1")
    assert (stored.account, stored.status, stored.amount_due_cents, stored.number) == (
        zeitz_account,
        "open",
        1250,
        "KOM-0001",
    )
    assert WebhookEvent.objects.get().processed_at is not None


@pytest.mark.parametrize("secret", ["whsec_wrong", None])
def test_bad_or_missing_signature_is_refused_and_changes_nothing(zeitz_account, client, secret) -> None:
    payload = event("invoice.paid", invoice("paid"), created=NOW)
    if secret:
        response = deliver(payload, secret=secret)
    else:
        response = client.post(
            "/billing/stripe/webhook/", payload, content_type="application/json", HTTP_HOST="localhost"
        )
    assert response.status_code == 400
    assert not Invoice.objects.exists()
    assert not WebhookEvent.objects.exists()


def test_signature_older_than_the_tolerance_is_refused(zeitz_account) -> None:
    import json

    from django.test import Client

    from tests.billing.conftest import signature

    body = json.dumps(event("invoice.paid", invoice("paid"), created=NOW))
    old = signature(body, WEBHOOK_SECRET, timestamp=NOW - 3600)
    response = Client(HTTP_HOST="localhost").post(
        "/billing/stripe/webhook/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=old
    )
    assert response.status_code == 400


def test_duplicate_delivery_runs_the_handler_once(zeitz_account, monkeypatch) -> None:
    calls = []
    original = webhooks.HANDLERS["invoice.paid"]

    def counting(*args):
        calls.append(args)
        original(*args)

    monkeypatch.setitem(webhooks.HANDLERS, "invoice.paid", counting)
    payload = event("invoice.paid", invoice("paid"), created=NOW)
    assert deliver(payload).content == b"processed"
    assert deliver(payload).content == b"duplicate"
    assert len(calls) == 1
    assert WebhookEvent.objects.get().attempts == 1


def test_failing_handler_answers_500_and_the_retry_processes_it(zeitz_account, monkeypatch) -> None:
    def broken(*args):
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(webhooks.HANDLERS, "invoice.paid", broken)
    payload = event("invoice.paid", invoice("paid"), created=NOW)
    assert deliver(payload).status_code == 500
    recorded = WebhookEvent.objects.get()
    assert recorded.processed_at is None
    assert "database hiccup" in recorded.last_error
    assert not Invoice.objects.exists()

    monkeypatch.undo()
    assert deliver(payload).status_code == 200
    assert Invoice.objects.get().status == "paid"
    assert WebhookEvent.objects.get().attempts == 2


def test_late_events_never_overwrite_newer_state(zeitz_account, django_capture_on_commit_callbacks) -> None:
    deliver(event("invoice.paid", invoice("paid"), created=NOW))
    deliver(event("invoice.finalized", invoice("open"), created=NOW - 10))
    assert Invoice.objects.get().status == "paid"

    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("customer.subscription.updated", subscription("active"), created=NOW))
        deliver(event("customer.subscription.updated", subscription("past_due"), created=NOW - 10))
    assert Subscription.objects.get().status == "active"
    zeitz_account.refresh_from_db()
    assert zeitz_account.past_due_since is None
    assert mail.outbox == []


def test_events_of_the_same_second_keep_the_later_invoice_state(zeitz_account) -> None:
    deliver(event("invoice.paid", invoice("paid"), created=NOW))
    deliver(event("invoice.finalized", invoice("open"), created=NOW))
    assert Invoice.objects.get().status == "paid"


def test_dunning_tells_admins_suspends_after_grace_and_reopens_when_paid(
    zeitz_account, communes, settings, django_capture_on_commit_callbacks
) -> None:
    settings.KOMMUNAL_BILLING_GRACE_DAYS = 14
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("invoice.finalized", invoice("open", due=NOW - 86400), created=NOW - 5))
        deliver(event("customer.subscription.updated", subscription("past_due"), created=NOW))
    zeitz_account.refresh_from_db()
    assert zeitz_account.past_due_since is not None
    assert [message.to for message in mail.outbox] == [["admin@zeitz.example"]]
    assert mail.outbox[0].subject == "Kommunal: Rechnung überfällig"  # the commune's language
    assert "Zeitz" in mail.outbox[0].body
    assert "KOM-0001: 12,50 € https://invoice.stripe.com/i/zeitz" in mail.outbox[0].body

    assert dunning.enforce_dunning(now=timezone.now() + timedelta(days=13)) == []
    assert dunning.enforce_dunning(now=timezone.now() + timedelta(days=15)) == [communes.zeitz]
    zeitz = Commune.objects.get(pk=communes.zeitz.pk)
    assert zeitz.status == Commune.Status.SUSPENDED
    assert StatusTransition.objects.filter(commune=zeitz).latest("at").actor == "billing"
    assert Commune.objects.get(pk=communes.borna.pk).status == Commune.Status.ACTIVE

    deliver(event("invoice.paid", invoice("paid"), created=NOW + 1))
    deliver(event("customer.subscription.updated", subscription("active"), created=NOW + 1))
    assert Commune.objects.get(pk=zeitz.pk).status == Commune.Status.ACTIVE
    zeitz_account.refresh_from_db()
    assert (zeitz_account.past_due_since, zeitz_account.suspended_by_billing) == (None, False)
    actions_logged = set(AuditEvent.objects.filter(commune=zeitz).values_list("action", flat=True))
    assert {"billing.past_due", "billing.suspended", "billing.paid_up"} <= actions_logged


def test_payment_does_not_lift_a_suspension_an_operator_made(zeitz_account, communes) -> None:
    deliver(event("invoice.payment_failed", invoice("open"), created=NOW))
    zeitz_account.refresh_from_db()
    BillingAccount.objects.filter(pk=zeitz_account.pk).update(past_due_since=timezone.now() - timedelta(days=30))
    call_command("enforce_dunning", stdout=open("/dev/null", "w"))  # noqa: SIM115
    actions.reactivate_commune(communes.zeitz, actor="operator:ops@example.org")
    actions.suspend_commune(communes.zeitz, actor="operator:ops@example.org", reason="abuse")

    deliver(event("invoice.paid", invoice("paid"), created=NOW + 1))
    assert Commune.objects.get(pk=communes.zeitz.pk).status == Commune.Status.SUSPENDED


def test_events_of_unknown_customers_are_acknowledged_and_ignored(zeitz_account) -> None:
    response = deliver(event("invoice.paid", invoice("paid", customer="cus_elsewhere"), created=NOW))
    assert response.status_code == 200
    assert not Invoice.objects.exists()


def test_subscription_update_brings_the_new_billing_period(zeitz_account) -> None:
    renewed = subscription("active")
    renewed["items"] = {"data": [{"id": "si_1", "current_period_start": NOW, "current_period_end": NOW + 30 * 86400}]}
    deliver(event("customer.subscription.updated", renewed, created=NOW))
    stored = Subscription.objects.get()
    assert int(stored.current_period_end.timestamp()) == NOW + 30 * 86400
    deliver(event("customer.subscription.updated", subscription("active"), created=NOW + 1))
    assert Subscription.objects.get().current_period_end == stored.current_period_end
