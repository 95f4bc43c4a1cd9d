"""Fee payments: connecting a commune's account, starting a payment, applying the provider's events.

Events are idempotent (each event id is recorded once) and order-independent: a request's payment
state only moves up the order unpaid < failed < paid < refunded, so the final state is the same
whatever order the events arrive in. An event of one commune's account only ever reaches that
commune's schema.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from audit import services as audit
from citizen_requests.models import CitizenRequest, PaymentStatus
from payments.models import ConnectedAccount, PaymentEvent
from payments.providers import Checkout, StatusEvent, provider
from tenants.models import Commune

RANK = {
    PaymentStatus.NONE: -1,
    PaymentStatus.UNPAID: 0,
    PaymentStatus.FAILED: 1,
    PaymentStatus.PAID: 2,
    PaymentStatus.REFUNDED: 3,
}


def account_of(commune: Commune) -> ConnectedAccount | None:
    with schema_context(get_public_schema_name()):
        return ConnectedAccount.objects.filter(commune=commune).first()


def connect_account(commune: Commune, *, email: str, actor: str) -> ConnectedAccount:
    """The commune's account at the provider, created on first use (onboarding follows)."""
    existing = account_of(commune)
    if existing is not None:
        return existing
    account_id = provider().create_account(email=email, name=commune.name)
    with schema_context(get_public_schema_name()):
        account = ConnectedAccount.objects.create(commune=commune, provider=provider().name, account_id=account_id)
    audit.record("payments.account_connected", actor=actor, commune=commune, target=account_id)
    return account


def refresh_account(account: ConnectedAccount) -> ConnectedAccount:
    """Ask the provider whether onboarding is complete and remember the answer."""
    if not account.charges_enabled and provider().account_ready(account.account_id):
        with schema_context(get_public_schema_name()):
            ConnectedAccount.objects.filter(pk=account.pk).update(charges_enabled=True)
        account.charges_enabled = True
    return account


def onboarding_url(commune: Commune, *, email: str, return_url: str, actor: str) -> str:
    """Where the commune's admin completes the provider's onboarding of its account."""
    account = connect_account(commune, email=email, actor=actor)
    return provider().onboarding_url(account=account.account_id, return_url=return_url)


def start_payment(commune: Commune, request: CitizenRequest, *, return_url: str) -> Checkout:
    """A checkout for the request's fee on the commune's account; raises LookupError when none can be made."""
    account = account_of(commune)
    if account is None or request.payment_status not in (PaymentStatus.UNPAID, PaymentStatus.FAILED):
        raise LookupError(request.tracking_number)
    checkout = provider().create_payment(
        account=account.account_id,
        tracking_number=request.tracking_number,
        description=f"{request.service.title_de} ({request.tracking_number})",
        amount=request.fee or Decimal("0"),
        email=request.email,
        return_url=return_url,
    )
    CitizenRequest.objects.filter(pk=request.pk).update(payment_reference=checkout.reference)
    return checkout


def refund(commune: Commune, request: CitizenRequest, *, actor: str) -> None:
    """Ask the provider to refund a paid fee; the refund event then marks the request refunded."""
    account = account_of(commune)
    if account is None or request.payment_status != PaymentStatus.PAID or not request.payment_reference:
        raise LookupError(request.tracking_number)
    provider().refund(account=account.account_id, reference=request.payment_reference)
    audit.record("payments.refund_requested", actor=actor, commune=commune, target=request.tracking_number)


@transaction.atomic
def apply_event(event: StatusEvent) -> bool:
    """Apply a status event once; True when it changed a request's payment state."""
    with schema_context(get_public_schema_name()):
        account = ConnectedAccount.objects.select_related("commune").filter(account_id=event.account).first()
        _row, created = PaymentEvent.objects.get_or_create(
            event_id=event.event_id, defaults={"type": event.type, "account_id": event.account}
        )
    if account is None or not created:
        return False
    with tenant_context(account.commune):
        request = CitizenRequest.objects.select_for_update().filter(tracking_number=event.tracking_number).first()
        if request is None or request.payment_status == PaymentStatus.NONE:
            return False
        if RANK[PaymentStatus(event.status)] <= RANK[PaymentStatus(request.payment_status)]:
            return False
        request.payment_status = event.status
        request.save(update_fields=["payment_status", "updated_at"])
        audit.record(
            "request.payment_changed",
            actor="payment-provider",
            commune=account.commune,
            target=request.tracking_number,
            payment_status=event.status,
        )
    return True
