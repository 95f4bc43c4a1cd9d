"""Reading API keys and webhooks of the current commune."""

from __future__ import annotations

from django.db.models import QuerySet

from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription


def usable_key(hashed_secret: str) -> ApiKey | None:
    """The key with this hash if it is neither revoked nor expired and its owner is active."""
    key = ApiKey.objects.select_related("created_by").filter(hashed_secret=hashed_secret).first()
    if key is None or not key.is_usable or not key.created_by.is_active:
        return None
    return key


def api_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by")


def subscriptions() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.all()


def deliveries(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return subscription.deliveries.all()
