"""Billing state of communes, kept in the public schema next to the registry.

Stripe is the system of record for money; these tables hold what Kommunal needs to show and
enforce without asking Stripe on every request: the prices of catalogue services, each
commune's customer and subscriptions, its invoices, the webhook events received and the
outbox of changes still to be sent to Stripe.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Interval(models.TextChoices):
    MONTH = "month", _("monthly")
    YEAR = "year", _("yearly")


class ServicePrice(models.Model):
    """What a commune pays for offering a catalogue service (net, in euro cents)."""

    service = models.OneToOneField("catalog.Service", on_delete=models.PROTECT, related_name="billing_price")
    interval = models.CharField(_("billing interval"), max_length=5, choices=Interval.choices, default=Interval.MONTH)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="eur", editable=False)
    lookup_key = models.CharField(_("Stripe lookup key"), max_length=200, unique=True)
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True, db_index=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("service price")
        verbose_name_plural = _("service prices")

    def __str__(self) -> str:
        return f"{self.lookup_key}: {self.amount_cents / 100:.2f} EUR/{self.interval}"


class BillingAccount(models.Model):
    """A commune as a Stripe customer: invoice address, Leitweg-ID and dunning state."""

    commune = models.OneToOneField("tenants.Commune", on_delete=models.CASCADE, related_name="billing_account")
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.CharField(_("invoice recipient"), max_length=200)
    email = models.EmailField(_("invoice e-mail"))
    address_line1 = models.CharField(_("street and number"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address addition"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    leitweg_id = models.CharField(
        _("Leitweg-ID"), max_length=46, blank=True, help_text=_("Routing ID for electronic invoices (XRechnung).")
    )
    leitweg_id_required = models.BooleanField(
        _("Leitweg-ID required"),
        default=True,
        help_text=_("The commune only accepts electronic invoices that carry its Leitweg-ID."),
    )
    einvoice_email = models.EmailField(
        _("e-invoice address"), blank=True, help_text=_("Where the provider sends the XRechnung by e-mail.")
    )
    past_due_since = models.DateTimeField(_("overdue since"), null=True, blank=True, db_index=True)
    suspended_by_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.stripe_customer_id or '-'}"


class Subscription(models.Model):
    """One Stripe subscription of a commune (Stripe requires one interval per subscription)."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="subscriptions")
    interval = models.CharField(max_length=5, choices=Interval.choices)
    stripe_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(_("status"), max_length=30)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # Time of the Stripe event (or API answer) the stored state comes from: older events are ignored.
    state_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "interval"],
                condition=~models.Q(status="canceled"),
                name="billing_one_live_subscription_per_interval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stripe_id} ({self.status})"


class SubscriptionItem(models.Model):
    """A billable activated service on a commune's subscription."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    stripe_id = models.CharField(max_length=255, unique=True)
    stripe_price_id = models.CharField(max_length=255)
    amount_cents = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "service"], name="billing_one_item_per_service"),
        ]

    def __str__(self) -> str:
        return self.stripe_id


class Invoice(models.Model):
    """A Stripe invoice of a commune, as last reported by Stripe."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        PAID = "paid", _("paid")
        UNCOLLECTIBLE = "uncollectible", _("uncollectible")
        VOID = "void", _("void")

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="invoices")
    stripe_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(_("number"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    currency = models.CharField(max_length=3, default="eur")
    amount_due_cents = models.IntegerField(_("amount due"))
    amount_paid_cents = models.IntegerField(_("amount paid"), default=0)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    due_date = models.DateTimeField(_("due date"), null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=1000, blank=True)
    invoice_pdf = models.URLField(max_length=1000, blank=True)
    created = models.DateTimeField()
    state_at = models.DateTimeField()
    # The Stripe invoice object as last received (lines, tax rates, totals): the XRechnung's source.
    stripe_data = models.JSONField(default=dict, blank=True)
    # Why no valid XRechnung can be made from this invoice (shown to operators); empty when it can.
    xrechnung_problem = models.TextField(_("XRechnung problem"), blank=True)
    xrechnung_sent_at = models.DateTimeField(_("XRechnung sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["account", "-created"], name="billing_invoice_account")]

    def __str__(self) -> str:
        return self.number or self.stripe_id


class WebhookEvent(models.Model):
    """A Stripe event received at the webhook, recorded once and processed at most once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    created = models.DateTimeField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class PendingSync(models.Model):
    """Outbox: a commune whose Stripe customer or subscription must be brought up to date.

    Written in the transaction of the change that needs it, removed only once Stripe accepted
    the change; a Stripe outage leaves the row here for ``kommunal sync_billing`` to retry.
    """

    commune = models.ForeignKey("tenants.Commune", on_delete=models.CASCADE, related_name="pending_billing_syncs")
    reason = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.reason}"
