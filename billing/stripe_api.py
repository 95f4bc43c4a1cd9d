"""The one place that builds a Stripe client from the settings."""

from __future__ import annotations

import stripe
from django.conf import settings

# Errors after which the same request may succeed later: Stripe unreachable, overloaded or failing.
TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def enabled() -> bool:
    """Whether billing is configured (``STRIPE_API_KEY`` set)."""
    return bool(settings.STRIPE_API_KEY)


def client() -> stripe.StripeClient:
    """A Stripe client; ``STRIPE_API_BASE`` points it elsewhere (a test server). Retries are ours (outbox)."""
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_API_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=(5, 30)),
    )
