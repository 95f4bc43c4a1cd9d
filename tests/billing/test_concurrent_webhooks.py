"""The same Stripe event delivered twice at the same moment runs its handler once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from billing import webhooks
from billing.models import BillingAccount, Invoice, WebhookEvent
from tests.billing.conftest import deliver, event


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_the_handler_once(fake, communes, monkeypatch) -> None:
    BillingAccount.objects.create(
        commune=communes.zeitz, stripe_customer_id="cus_zeitz", name="Stadt Zeitz", email="kasse@zeitz.example"
    )
    calls = []
    original = webhooks.HANDLERS["invoice.paid"]

    def slow(*args):
        calls.append(args)
        time.sleep(0.3)  # widen the window in which the duplicate arrives
        original(*args)

    monkeypatch.setitem(webhooks.HANDLERS, "invoice.paid", slow)
    now = int(time.time())
    payload = event(
        "invoice.paid",
        {"id": "in_1", "customer": "cus_zeitz", "status": "paid", "amount_due": 500, "created": now},
        created=now,
    )
    barrier = threading.Barrier(2)
    answers: list[bytes] = []

    def post() -> None:
        barrier.wait()
        try:
            answers.append(deliver(payload).content)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [b"duplicate", b"processed"]
    assert len(calls) == 1
    assert WebhookEvent.objects.count() == 1
    assert Invoice.objects.get().status == "paid"
