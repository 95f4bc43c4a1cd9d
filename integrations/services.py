"""Creating and revoking API keys, managing webhook subscriptions and delivering events.

Every change is recorded in the audit log in the same transaction. The functions work on the
commune whose schema the connection is routed to.

Deliveries never run in the request that caused them: an event becomes durable
``WebhookDelivery`` rows in the transaction of the change, handed over after commit as
``integrations.dispatch`` describes. A delivery whose subscription was deleted meanwhile is
dropped.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from integrations import signing
from integrations.events import EVENTS, PING
from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from integrations.urlguard import check_webhook_url, resolve_webhook_target
from kommunal.api.scopes import SCOPES
from tenants import due_work
from tenants.db import on_commit_in_current_schema
from tenants.models import Commune, DueWork

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
    """Once the change committed, hand ``deliveries`` over (``integrations.dispatch``); they never run here."""
    from integrations import dispatch

    ids = [delivery.pk for delivery in deliveries]
    if ids:
        due_work.note(DueWork.Kind.WEBHOOK_DELIVERY, min(d.next_attempt_at or timezone.now() for d in deliveries))
        on_commit_in_current_schema(lambda: dispatch.hand_over(ids))


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


def _post(subscription: WebhookSubscription, body: bytes, event: str, event_id: str) -> int:
    """POST ``body`` to the address the SSRF guard checked; redirects are not followed."""
    target = resolve_webhook_target(subscription.url)
    connection = target.open_connection(DELIVERY_TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Kommunal-Webhooks/1",
                "Kommunal-Event": event,
                "Kommunal-Delivery": event_id,
                signing.HEADER: signing.sign(subscription.secret, int(time.time()), body),
            },
        )
        return int(connection.getresponse().status)
    finally:
        connection.close()


def attempt_delivery(delivery: WebhookDelivery) -> WebhookDelivery | None:
    """Send ``delivery`` once; on failure schedule the next attempt or give up after MAX_ATTEMPTS.

    ``None`` when the delivery no longer exists (its subscription was deleted before or during
    the attempt): there is nothing left to record or retry.

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
        if claimed is None:  # delivered, given up, claimed by another worker, or deleted
            return WebhookDelivery.objects.filter(pk=delivery.pk).first()
        claimed.attempts += 1
        claimed.next_attempt_at = timezone.now() + backoff(claimed.attempts)
        claimed.save(update_fields=["attempts", "next_attempt_at"])
    delivery = claimed
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder).encode()
    delivery.response_status = None
    try:
        delivery.response_status = _post(delivery.subscription, body, delivery.event, str(delivery.event_id))
        delivery.last_error = "" if 200 <= delivery.response_status < 300 else f"HTTP {delivery.response_status}"
    except (OSError, http.client.HTTPException, ValidationError) as error:
        delivery.last_error = str(error)[:500]
    if delivery.response_status is not None and 200 <= delivery.response_status < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.Status.SUCCEEDED,
            timezone.now(),
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    recorded = WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status,
        response_status=delivery.response_status,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    if not recorded:
        logger.info("webhook delivery %s: its subscription was deleted during the attempt", delivery.event_id)
        return None
    return delivery


def deliver_due() -> tuple[int, int]:
    """Attempt the due deliveries of every schema that has some; returns (attempted, succeeded).

    The schemas are found in the index of due work (one query); no other schema is visited.
    """
    attempted = succeeded = 0

    def deliver_in_schema() -> datetime | None:
        nonlocal attempted, succeeded
        for delivery_id in due_deliveries():
            delivery = attempt_delivery(WebhookDelivery(pk=delivery_id))
            attempted += 1
            succeeded += delivery is not None and delivery.status == WebhookDelivery.Status.SUCCEEDED
        next_due: datetime | None = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).aggregate(
            next_due=Min("next_attempt_at")
        )["next_due"]
        return next_due

    due_work.run_due(DueWork.Kind.WEBHOOK_DELIVERY, deliver_in_schema)
    return attempted, succeeded


def due_deliveries(limit: int = 100) -> list[int]:
    """Ids of pending deliveries whose next attempt is due, in the current schema."""
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
