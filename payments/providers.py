"""The payment-provider interface, and its first adapter: Stripe Connect with Checkout.

An adapter creates a payment for a request on the commune's own account, turns the provider's
signed status callbacks into ``StatusEvent``s, and refunds. docs/payments.md says what an adapter
for ePayBL or pmPayment needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import stripe
from django.conf import settings

from billing import stripe_api
from citizen_requests.models import PaymentStatus


class InvalidEvent(Exception):
    """A callback that is not signed by the provider, or not readable."""


class ProviderUnavailable(Exception):
    """The provider could not be reached or refused the call; nothing changed."""


@dataclass(frozen=True)
class Checkout:
    """Where the citizen pays: the provider's reference of the payment and its page."""

    reference: str
    url: str


@dataclass(frozen=True)
class StatusEvent:
    """What a provider's callback says about one payment."""

    event_id: str
    type: str
    account: str
    tracking_number: str
    status: str  # a PaymentStatus value
    reference: str


class PaymentProvider(Protocol):
    name: str

    def create_account(self, *, email: str, name: str) -> str: ...

    def onboarding_url(self, *, account: str, return_url: str) -> str: ...

    def account_ready(self, account: str) -> bool: ...

    def create_payment(
        self, *, account: str, tracking_number: str, description: str, amount: Decimal, email: str, return_url: str
    ) -> Checkout: ...

    def parse_event(self, payload: bytes, signature: str) -> StatusEvent | None: ...

    def refund(self, *, account: str, reference: str) -> None: ...


# Checkout and refund events and the payment status each stands for.
STRIPE_STATUS = {
    "checkout.session.completed": PaymentStatus.PAID,
    "checkout.session.async_payment_succeeded": PaymentStatus.PAID,
    "checkout.session.async_payment_failed": PaymentStatus.FAILED,
    "checkout.session.expired": PaymentStatus.FAILED,
    "charge.refunded": PaymentStatus.REFUNDED,
    "refund.created": PaymentStatus.REFUNDED,
}


class StripeConnect:
    """Stripe Checkout Sessions created on the commune's connected account (``Stripe-Account``)."""

    name = "stripe"

    def _call(self, call: Any, params: dict[str, Any], account: str | None = None) -> Any:
        try:
            return call(params=params, options={"stripe_account": account} if account else None)
        except stripe.StripeError as error:
            raise ProviderUnavailable(str(error.user_message or error)) from error

    def create_account(self, *, email: str, name: str) -> str:
        client = stripe_api.client()
        params = {"type": "standard", "country": "DE", "email": email, "business_profile": {"name": name}}
        return str(self._call(client.v1.accounts.create, params).id)

    def onboarding_url(self, *, account: str, return_url: str) -> str:
        client = stripe_api.client()
        params = {"account": account, "type": "account_onboarding", "return_url": return_url, "refresh_url": return_url}
        return str(self._call(client.v1.account_links.create, params).url)

    def account_ready(self, account: str) -> bool:
        client = stripe_api.client()
        found = self._call(lambda params, options: client.v1.accounts.retrieve(account), {})
        return bool(found.charges_enabled)

    def create_payment(
        self, *, account: str, tracking_number: str, description: str, amount: Decimal, email: str, return_url: str
    ) -> Checkout:
        metadata = {"tracking_number": tracking_number}
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": int(amount * 100),
                        "product_data": {"name": description},
                    },
                }
            ],
            "client_reference_id": tracking_number,
            "customer_email": email,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": return_url,
            "cancel_url": return_url,
        }
        session = self._call(stripe_api.client().v1.checkout.sessions.create, params, account)
        return Checkout(reference=str(session.id), url=str(session.url))

    def parse_event(self, payload: bytes, signature: str) -> StatusEvent | None:
        try:
            event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_CONNECT_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise InvalidEvent(str(error)) from error
        data = event.to_dict()
        status = STRIPE_STATUS.get(data["type"])
        obj = data["data"]["object"]
        tracking_number = (obj.get("metadata") or {}).get("tracking_number", "")
        if status is None or not data.get("account") or not tracking_number:
            return None
        reference = obj["id"] if obj.get("object") == "checkout.session" else obj.get("payment_intent", "")
        return StatusEvent(
            event_id=data["id"],
            type=data["type"],
            account=data["account"],
            tracking_number=tracking_number,
            status=status,
            reference=str(reference or ""),
        )

    def refund(self, *, account: str, reference: str) -> None:
        client = stripe_api.client()
        session = self._call(
            lambda params, options: client.v1.checkout.sessions.retrieve(reference, options=options), {}, account
        )
        self._call(client.v1.refunds.create, {"payment_intent": str(session.payment_intent)}, account)


def provider() -> PaymentProvider:
    """The configured provider (Stripe Connect; more adapters plug in here)."""
    return StripeConnect()


def enabled() -> bool:
    return bool(settings.STRIPE_API_KEY and settings.STRIPE_CONNECT_WEBHOOK_SECRET)
