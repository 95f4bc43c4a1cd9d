"""Creating and revoking API keys, managing webhook subscriptions and delivering events.

Every change is recorded in the audit log in the same transaction. The functions work on the
commune whose schema the connection is routed to.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from audit import services as audit
from integrations import signing
from integrations.events import EVENTS, PING
from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from integrations.urlguard import check_webhook_url
from kommunal.api.scopes import SCOPES
from tenants.models import Commune
from tenants.selectors import communes_with_schema

logger = logging.getLogger(__name__)

KEY_PREFIX = "kk_live_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8
LAST_USED_GRANULARITY = timedelta(minutes=1)
MAX_ATTEMPTS = 8
DELIVERY_TIMEOUT_SECONDS = 10


def _commune() -> Commune | None:
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Commune) else None


def hash_secret(secret: str) -> str:
    """What is stored of a key: the SHA-256 of its (high-entropy) secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def _validate_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if not chosen or unknown:
        raise ValidationError({"scopes": _("Choose one or more of the listed scopes.")})
    return chosen


@transaction.atomic
def create_api_key(*, name: str, scopes: Iterable[str], actor: User, expires_at: datetime | None = None) -> CreatedKey:
    """A new key acting for ``actor`` with ``scopes``; the secret is returned once."""
    chosen = _validate_scopes(scopes)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        hashed_secret=hash_secret(secret),
        scopes=chosen,
        created_by=actor,
        expires_at=expires_at,
    )
    audit.record("api_key.created", actor=actor.email, commune=_commune(), target=key.prefix, scopes=chosen)
    return CreatedKey(key=key, secret=secret)


@transaction.atomic
def revoke_api_key(key: ApiKey, *, actor: str) -> ApiKey:
    """Stop accepting ``key`` from now on (idempotent)."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record("api_key.revoked", actor=actor, commune=_commune(), target=key.prefix)
    return key


def note_key_use(key: ApiKey) -> None:
    """Record that ``key`` was used, at most once a minute (no write on most requests)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def _validate_subscription(url: str, events: Iterable[str]) -> list[str]:
    errors: dict[str, Any] = {}
    try:
        check_webhook_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    chosen = sorted(set(events))
    if not chosen or any(event not in EVENTS for event in chosen):
        errors["events"] = _("Choose one or more of the listed events.")
    if errors:
        raise ValidationError(errors)
    return chosen


@transaction.atomic
def create_subscription(*, url: str, events: Iterable[str], actor: User, description: str = "") -> WebhookSubscription:
    """Subscribe ``url`` to ``events``; its signing secret is generated here."""
    chosen = _validate_subscription(url, events)
    subscription = WebhookSubscription.objects.create(
        url=url, events=chosen, description=description, secret=secrets.token_hex(32), created_by=actor
    )
    audit.record("webhook.subscribed", actor=actor.email, commune=_commune(), target=url, events=chosen)
    return subscription


@transaction.atomic
def update_subscription(subscription: WebhookSubscription, *, actor: str, **changes: Any) -> WebhookSubscription:
    """Change the URL, events, description or active flag of a subscription."""
    url = changes.get("url", subscription.url)
    events = changes.get("events", subscription.events)
    changes["events"] = _validate_subscription(url, events)
    for name, value in changes.items():
        setattr(subscription, name, value)
    subscription.save()
    audit.record("webhook.changed", actor=actor, commune=_commune(), target=subscription.url, fields=sorted(changes))
    return subscription


@transaction.atomic
def delete_subscription(subscription: WebhookSubscription, *, actor: str) -> None:
    """Remove a subscription and its delivery log."""
    audit.record("webhook.deleted", actor=actor, commune=_commune(), target=subscription.url)
    subscription.delete()


def _schedule(deliveries: list[WebhookDelivery]) -> None:
    for delivery in deliveries:
        transaction.on_commit(functools.partial(_enqueue, delivery.pk))


def _enqueue(delivery_id: int) -> None:
    """Hand a committed delivery to the task queue. Without a reachable broker it stays pending
    in the table (the outbox), and ``deliver_due_everywhere`` (every minute) sends it."""
    from integrations.tasks import deliver_webhook

    try:
        deliver_webhook.delay(delivery_id)
    except KombuOperationalError:
        logger.warning("webhook delivery %s not queued (broker unreachable); it stays pending", delivery_id)


def emit_event(event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue ``event`` for every active subscription to it in the current commune's schema."""
    subscriptions = WebhookSubscription.objects.filter(is_active=True, events__contains=[event])
    deliveries = [_new_delivery(subscription, event, data) for subscription in subscriptions]
    WebhookDelivery.objects.bulk_create(deliveries)
    _schedule(deliveries)
    return deliveries


def send_test_event(subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a ``ping`` to one subscription, so its owner can check the receiving end."""
    delivery = _new_delivery(subscription, PING, {"message": "Hello from Kommunal"})
    delivery.save()
    _schedule([delivery])
    return delivery


def _new_delivery(subscription: WebhookSubscription, event: str, data: dict[str, Any]) -> WebhookDelivery:
    commune = _commune()
    delivery = WebhookDelivery(subscription=subscription, event=event, next_attempt_at=timezone.now())
    delivery.payload = {
        "id": str(delivery.event_id),
        "type": event,
        "created_at": timezone.now().isoformat(),
        "commune": commune.slug if commune else None,
        "data": data,
    }
    return delivery


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min ... at most 6 hours."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead to an address the guard refuses


_opener = urllib.request.build_opener(_NoRedirects)


def _post(subscription: WebhookSubscription, body: bytes, event: str, event_id: str) -> int:
    check_webhook_url(subscription.url)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Kommunal-Webhooks/1",
            "Kommunal-Event": event,
            "Kommunal-Delivery": event_id,
            signing.HEADER: signing.sign(subscription.secret, int(time.time()), body),
        },
    )
    try:
        with _opener.open(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def attempt_delivery(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send ``delivery`` once; on failure schedule the next attempt or give up after MAX_ATTEMPTS.

    The attempt is claimed in a short transaction (the next attempt moves into the future, so a
    parallel worker or ``deliver_webhooks`` skips it); the HTTP call happens outside any
    transaction and its outcome is recorded afterwards.
    """
    with transaction.atomic():
        claimed = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if claimed is None:
            return WebhookDelivery.objects.get(pk=delivery.pk)
        claimed.attempts += 1
        claimed.next_attempt_at = timezone.now() + backoff(claimed.attempts)
        claimed.save(update_fields=["attempts", "next_attempt_at"])
    delivery = claimed
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder).encode()
    delivery.response_status = None
    try:
        delivery.response_status = _post(delivery.subscription, body, delivery.event, str(delivery.event_id))
        delivery.last_error = "" if 200 <= delivery.response_status < 300 else f"HTTP {delivery.response_status}"
    except (OSError, ValidationError) as error:
        delivery.last_error = str(error)[:500]
    if delivery.response_status is not None and 200 <= delivery.response_status < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.Status.SUCCEEDED,
            timezone.now(),
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    delivery.save(update_fields=["status", "response_status", "last_error", "delivered_at", "next_attempt_at"])
    return delivery


def deliver_due_everywhere() -> tuple[int, int]:
    """Attempt every due delivery of every commune; returns (attempted, succeeded)."""
    attempted = succeeded = 0
    for commune in communes_with_schema().iterator():
        with tenant_context(commune):
            for delivery_id in due_deliveries():
                delivery = attempt_delivery(WebhookDelivery(pk=delivery_id))
                attempted += 1
                succeeded += delivery.status == WebhookDelivery.Status.SUCCEEDED
    return attempted, succeeded


def due_deliveries(limit: int = 100) -> list[int]:
    """Ids of pending deliveries whose next attempt is due, in the current schema."""
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
