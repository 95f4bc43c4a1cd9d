"""The Stripe stand-in's invoices, as stripe-python sees them: lifecycle on a test clock, payment, events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from devservices import stripe as stand_in

DAY = 86400
START = 1_790_000_000


@pytest.fixture
def client() -> Iterator[stripe.StripeClient]:
    server, base = stand_in.serve()
    yield stripe.StripeClient("sk_test_x", base_addresses={"api": base})
    server.shutdown()


def subscribed(client: stripe.StripeClient) -> tuple[str, str, str]:
    """A customer on a test clock with a monthly send_invoice subscription at 19 % VAT: (clock, customer, sub)."""
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": START})
    customer = client.v1.customers.create(params={"name": "Stadt Zeitz", "test_clock": clock.id})
    client.v1.products.create(params={"id": "kommunal-x", "name": "Sperrmüll"})  # type: ignore[typeddict-item]
    price = client.v1.prices.create(
        params={"product": "kommunal-x", "currency": "eur", "unit_amount": 1900, "recurring": {"interval": "month"}}
    )
    rate = client.v1.tax_rates.create(params={"display_name": "USt", "percentage": 19, "inclusive": False})
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "collection_method": "send_invoice",
            "days_until_due": 30,
            "default_tax_rates": [rate.id],
        }
    )
    return clock.id, customer.id, subscription.id


def test_a_subscription_invoices_each_period_and_an_unpaid_invoice_turns_it_past_due(client) -> None:
    clock, customer, subscription = subscribed(client)
    [first] = client.v1.invoices.list(params={"customer": customer}).data
    assert (first.status, first.created, first.due_date) == ("open", START, START + 30 * DAY)
    assert (first.subtotal, first.total) == (1900, 2261)
    assert first.lines.data[0].taxes[0].amount == 361

    client.v1.invoices.pay(first.id, params={"paid_out_of_band": True})
    client.v1.test_helpers.test_clocks.advance(clock, params={"frozen_time": START + 61 * DAY})

    invoices = client.v1.invoices.list(params={"customer": customer}).data
    assert [(i.status, i.created) for i in invoices] == [
        ("open", START + 60 * DAY),
        ("open", START + 30 * DAY),
        ("paid", START),
    ]
    assert client.v1.subscriptions.retrieve(subscription).status == "past_due"
    overdue = client.v1.events.list(params={"types": ["invoice.overdue"]}).data
    assert [event.data.object["id"] for event in overdue] == [invoices[1].id]

    client.v1.invoices.pay(invoices[1].id, params={"paid_out_of_band": True})
    assert client.v1.subscriptions.retrieve(subscription).status == "active"
    with pytest.raises(stripe.InvalidRequestError, match="already paid"):
        client.v1.invoices.pay(invoices[1].id, params={"paid_out_of_band": True})


def test_a_test_clock_only_moves_forward(client) -> None:
    clock, _customer, _subscription = subscribed(client)
    with pytest.raises(stripe.InvalidRequestError, match="later than"):
        client.v1.test_helpers.test_clocks.advance(clock, params={"frozen_time": START - DAY})
