"""Reading billing state: price previews for activation, invoices for admins, state for operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Func, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing import stripe_api
from billing.models import BillingAccount, Interval, Invoice, PendingSync, ServicePrice, Subscription, SubscriptionItem
from billing.services import from_timestamp
from catalog.models import Service
from tenants.models import Commune


@dataclass(frozen=True)
class PricePreview:
    """What activating a service costs a commune, shown before the admin confirms."""

    amount_cents: int
    currency: str
    interval: str
    interval_label: str
    prorated_cents: int | None
    period_end: datetime | None
    already_billed: bool


def price_preview(commune: Commune, service: Service, *, now: datetime | None = None) -> PricePreview | None:
    """The price of ``service`` for ``commune`` and the prorated amount for the current period.

    ``None`` when billing is off or the service has no price (it is free for communes). Computed
    from stored state, without asking Stripe, so the activation page never waits for Stripe.
    """
    if not stripe_api.enabled():
        return None
    price = ServicePrice.objects.filter(service=service).first()
    if price is None:
        return None
    now = now or timezone.now()
    subscription = (
        Subscription.objects.filter(account__commune=commune, interval=price.interval)
        .exclude(status="canceled")
        .first()
    )
    prorated = None
    period_end = None
    already_billed = False
    if subscription is not None:
        already_billed = subscription.items.filter(service=service).exists()
        start, end = subscription.current_period_start, subscription.current_period_end
        if start and end and start <= now < end:
            prorated = round(price.amount_cents * (end - now) / (end - start))
            period_end = end
    return PricePreview(
        amount_cents=price.amount_cents,
        currency=price.currency.upper(),
        interval=price.interval,
        interval_label=str(price.get_interval_display()),
        prorated_cents=prorated,
        period_end=period_end,
        already_billed=already_billed,
    )


@dataclass(frozen=True)
class UpcomingInvoice:
    """The next invoice of one subscription: Stripe's preview (with prorations) or our estimate."""

    interval: str
    date: datetime | None
    amount_cents: int
    from_stripe: bool


PREVIEW_CACHE_SECONDS = 300


def invoices_of(commune: Commune) -> QuerySet[Invoice]:
    """The commune's invoices, newest first."""
    return Invoice.objects.filter(account__commune=commune).exclude(status=Invoice.Status.DRAFT)


def upcoming_invoices(commune: Commune) -> list[UpcomingInvoice]:
    """The next invoice of each live subscription.

    Asks Stripe for its preview (prorations included; cached for five minutes); when Stripe does
    not answer, estimates it from the stored items and period.
    """
    subscriptions = (
        Subscription.objects.filter(account__commune=commune)
        .exclude(status="canceled")
        .select_related("account")
        .annotate(total=Sum("items__amount_cents"))
        .order_by("interval")
    )
    return [_upcoming(subscription) for subscription in subscriptions]


def _upcoming(subscription: Subscription) -> UpcomingInvoice:
    key = f"billing:upcoming:{subscription.stripe_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        preview = stripe_api.client().v1.invoices.create_preview(
            params={"customer": subscription.account.stripe_customer_id, "subscription": subscription.stripe_id}
        )
    except stripe.StripeError:
        # Stripe unavailable: our estimate, remembered briefly so that page views do not wait for Stripe.
        total = getattr(subscription, "total", None) or 0
        estimate = UpcomingInvoice(subscription.interval, subscription.current_period_end, total, from_stripe=False)
        cache.set(key, estimate, 60)
        return estimate
    upcoming = UpcomingInvoice(
        subscription.interval,
        from_timestamp(preview.period_end) or subscription.current_period_end,
        preview.amount_due,
        from_stripe=True,
    )
    cache.set(key, upcoming, PREVIEW_CACHE_SECONDS)
    return upcoming


@dataclass(frozen=True)
class BillingState:
    """Billing of one commune as operators see it."""

    enabled: bool
    customer_id: str
    subscription_statuses: list[str]
    recurring_cents: int
    open_invoices: int
    open_cents: int
    past_due_since: datetime | None
    grace_ends_at: datetime | None
    suspended_by_billing: bool
    pending_syncs: int


def billing_state(commune: Commune) -> BillingState:
    """Customer, subscriptions, open amounts, dunning and queued syncs of one commune."""
    account = BillingAccount.objects.filter(commune=commune).first()
    pending = PendingSync.objects.filter(commune=commune).count()
    if account is None:
        return BillingState(stripe_api.enabled(), "", [], 0, 0, 0, None, None, False, pending)
    live = account.subscriptions.exclude(status="canceled")
    open_invoices = account.invoices.filter(status__in=[Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE]).aggregate(
        count=Count("pk"), cents=Sum("amount_due_cents")
    )
    recurring = SubscriptionItem.objects.filter(subscription__in=live).aggregate(cents=Sum("amount_cents"))["cents"]
    return BillingState(
        enabled=stripe_api.enabled(),
        customer_id=account.stripe_customer_id,
        subscription_statuses=sorted(live.values_list("status", flat=True)),
        recurring_cents=recurring or 0,
        open_invoices=open_invoices["count"],
        open_cents=open_invoices["cents"] or 0,
        past_due_since=account.past_due_since,
        grace_ends_at=grace_end(account.past_due_since),
        suspended_by_billing=account.suspended_by_billing,
        pending_syncs=pending,
    )


def grace_end(past_due_since: datetime | None) -> datetime | None:
    """When an account overdue since ``past_due_since`` gets suspended."""
    return past_due_since + timedelta(days=settings.KOMMUNAL_BILLING_GRACE_DAYS) if past_due_since else None


def billing_overview() -> QuerySet[BillingAccount]:
    """Every billed commune with its open amount and queued syncs, overdue first (one query per page)."""
    open_invoices = Invoice.objects.filter(
        account=OuterRef("pk"), status__in=[Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE]
    )
    pending = PendingSync.objects.filter(commune=OuterRef("commune"))
    return (
        BillingAccount.objects.select_related("commune")
        .annotate(
            open_cents=Coalesce(_aggregate(open_invoices, "SUM", "amount_due_cents"), 0),
            pending_syncs=Coalesce(_aggregate(pending, "COUNT", "pk"), 0),
        )
        .order_by("past_due_since", "commune__name")
    )


def _aggregate(queryset: QuerySet, function: str, field: str) -> Subquery:
    """``function(field)`` over a correlated subquery, without a GROUP BY."""
    return Subquery(queryset.order_by().annotate(value=Func(F(field), function=function)).values("value")[:1])


# --- XRechnung ---------------------------------------------------------------------------------

FINALISED = [Invoice.Status.OPEN, Invoice.Status.PAID, Invoice.Status.UNCOLLECTIBLE]


def finalised_invoices() -> QuerySet[Invoice]:
    """Invoices of every commune that can have an XRechnung, oldest first."""
    return Invoice.objects.filter(status__in=FINALISED).select_related("account__commune").order_by("created", "pk")


def xrechnungen_to_send() -> QuerySet[Invoice]:
    """Finalised invoices whose XRechnung has not been e-mailed yet, oldest first."""
    return finalised_invoices().filter(xrechnung_sent_at__isnull=True)


def flagged_invoices() -> QuerySet[Invoice]:
    """Finalised invoices that cannot make a valid XRechnung, for operators."""
    return (
        Invoice.objects.filter(status__in=FINALISED)
        .exclude(xrechnung_problem="")
        .select_related("account__commune")
        .order_by("-created", "-pk")
    )


# --- Figures for operators ----------------------------------------------------------------------

# Subscriptions that bring revenue (Stripe keeps billing past-due and unpaid ones).
REVENUE_STATES = ["active", "trialing", "past_due", "unpaid"]


@dataclass(frozen=True)
class BillingFigures:
    """Monthly recurring revenue (net cents, yearly prices as a twelfth) and receivables."""

    mrr_cents: int
    mrr_by_service: list[dict[str, Any]]
    mrr_by_land: list[dict[str, Any]]
    open_cents: int
    open_invoices: int
    overdue_cents: int
    overdue_invoices: int


def billing_figures(*, now: datetime | None = None) -> BillingFigures:
    """The provider's billing figures, from the public schema: one query per figure, no loop over communes."""
    now = now or timezone.now()
    by_service = _mrr("service__slug", "service__title_de")
    by_land = _mrr("subscription__account__commune__land")
    receivable = F("amount_due_cents") - F("amount_paid_cents")
    unpaid = Q(status__in=[Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE])
    overdue = unpaid & Q(due_date__lt=now)
    totals = Invoice.objects.aggregate(
        open_cents=Coalesce(Sum(receivable, filter=unpaid), 0),
        open_invoices=Count("pk", filter=unpaid),
        overdue_cents=Coalesce(Sum(receivable, filter=overdue), 0),
        overdue_invoices=Count("pk", filter=overdue),
    )
    return BillingFigures(
        mrr_cents=sum(row["mrr_cents"] for row in by_service),
        mrr_by_service=[
            {"service": row["service__slug"], "title": row["service__title_de"], "mrr_cents": row["mrr_cents"]}
            for row in by_service
        ],
        mrr_by_land=[
            {"land": row["subscription__account__commune__land"], "mrr_cents": row["mrr_cents"]} for row in by_land
        ],
        **totals,
    )


def _mrr(*group_by: str) -> list[dict[str, Any]]:
    """Monthly recurring revenue of the live subscription items grouped by ``group_by``, highest first."""
    rows = (
        SubscriptionItem.objects.filter(subscription__status__in=REVENUE_STATES)
        .values(*group_by)
        .annotate(
            monthly=Coalesce(Sum("amount_cents", filter=Q(subscription__interval=Interval.MONTH)), 0),
            yearly=Coalesce(Sum("amount_cents", filter=Q(subscription__interval=Interval.YEAR)), 0),
        )
        .order_by(*group_by)
    )
    result = [{**row, "mrr_cents": row["monthly"] + round(row["yearly"] / 12)} for row in rows]
    return sorted(result, key=lambda row: -row["mrr_cents"])
