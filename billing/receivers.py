"""Billing reacts to activations (a priced service changes the subscription) and to offboarding."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from activations.models import Activation
from billing import services, stripe_api
from billing.models import BillingAccount, ServicePrice
from tenants.models import Commune

logger = logging.getLogger(__name__)


def activation_changed(sender: Any, *, activation: Activation, commune: Commune | None, **kwargs: Any) -> None:
    """Queue a subscription sync for a priced service; never let billing break the activation."""
    if commune is None or not stripe_api.enabled():
        return
    if not ServicePrice.objects.filter(service_id=activation.service_id).exists():
        return
    with transaction.atomic():
        services.queue_sync(commune, reason=f"service {activation.service_id}")


def commune_offboarded(sender: Any, *, commune: Commune, **kwargs: Any) -> None:
    """Cancel the offboarded commune's subscriptions (through the outbox, so an outage loses nothing)."""
    if not stripe_api.enabled() or not BillingAccount.objects.filter(commune=commune).exists():
        return
    with transaction.atomic():
        services.queue_sync(commune, reason="offboarded")
