"""Dunning: overdue communes are told, suspended after the grace period, reopened once they pay.

Every transition writes the audit log in the transaction that makes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from accounts.models import User
from audit import services as audit
from billing.models import BillingAccount, Invoice
from billing.templatetags.billing import euros
from tenants import actions
from tenants.models import Commune, StatusTransition

ACTOR = "billing"
OVERDUE_SUBSCRIPTION_STATES = ("past_due", "unpaid")


def notify_admins(commune: Commune, subject: str, body: str) -> None:
    """E-mail the commune's administrators (read from its own schema) once the transaction commits."""
    with tenant_context(commune):
        recipients = list(User.objects.filter(role=User.Role.ADMIN, is_active=True).values_list("email", flat=True))
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def open_invoice_lines(account: BillingAccount) -> str:
    """One line per unpaid invoice with its amount and Stripe's payment page (bank details)."""
    unpaid = account.invoices.filter(status__in=[Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE])
    return "\n".join(
        f"- {invoice.number or invoice.stripe_id}: {euros(invoice.amount_due_cents)} {invoice.hosted_invoice_url}".rstrip()
        for invoice in unpaid
    )


def _with_invoices(account: BillingAccount) -> str:
    lines = open_invoice_lines(account)
    return "\n\n" + _("Unpaid invoices (the links show the bank details):") + "\n" + lines if lines else ""


def enter_dunning(account: BillingAccount, *, since: datetime, reason: str) -> None:
    """Mark the account overdue and tell the commune's administrators (once per overdue spell)."""
    if account.past_due_since is not None:
        return
    account.past_due_since = since
    account.save(update_fields=["past_due_since"])
    commune = account.commune
    audit.record("billing.past_due", actor=ACTOR, commune=commune, target=commune.slug, reason=reason)
    grace_end = since + timedelta(days=settings.KOMMUNAL_BILLING_GRACE_DAYS)
    with translation.override("de"):
        notify_admins(
            commune,
            _("Kommunal: invoice overdue"),
            _(
                "An invoice of %(name)s for Kommunal is overdue. Please pay it by %(date)s; otherwise the "
                "online services of %(name)s will be suspended until payment is received.\n\n"
                "Your invoices: %(url)s/verwaltung/rechnungen/"
            )
            % {"name": commune.name, "date": f"{grace_end:%d.%m.%Y}", "url": commune.portal_url}
            + _with_invoices(account),
        )


def still_overdue(account: BillingAccount) -> bool:
    """Whether Stripe still reports something unpaid past its due date for the account."""
    return (
        account.subscriptions.filter(status__in=OVERDUE_SUBSCRIPTION_STATES).exists()
        or account.invoices.filter(status=Invoice.Status.UNCOLLECTIBLE).exists()
        or account.invoices.filter(status=Invoice.Status.OPEN, due_date__lt=timezone.now()).exists()
    )


def leave_dunning(account: BillingAccount) -> None:
    """The account is paid up: clear the overdue mark and reopen the commune if billing closed it."""
    if account.past_due_since is None and not account.suspended_by_billing:
        return
    if still_overdue(account):
        return
    commune = account.commune
    account.past_due_since = None
    if account.suspended_by_billing:
        last = StatusTransition.objects.filter(commune=commune).order_by("-at", "-id").first()
        commune.refresh_from_db(fields=["status"])
        # Only undo our own suspension: an operator's later suspension stands.
        if commune.status == Commune.Status.SUSPENDED and last is not None and last.actor == ACTOR:
            actions.reactivate_commune(commune, actor=ACTOR, reason=_("Overdue invoices paid."))
        account.suspended_by_billing = False
    account.save(update_fields=["past_due_since", "suspended_by_billing"])
    audit.record("billing.paid_up", actor=ACTOR, commune=commune, target=commune.slug)


def enforce_dunning(now: datetime | None = None) -> list[Commune]:
    """Suspend every commune overdue for longer than the grace period; returns the ones suspended."""
    deadline = (now or timezone.now()) - timedelta(days=settings.KOMMUNAL_BILLING_GRACE_DAYS)
    suspended = []
    with schema_context(get_public_schema_name()):
        due = BillingAccount.objects.filter(
            past_due_since__lte=deadline, suspended_by_billing=False, commune__status=Commune.Status.ACTIVE
        ).select_related("commune")
        for account in due:
            with transaction.atomic():
                commune = account.commune
                with translation.override("de"):
                    reason = _("Invoices overdue since %(date)s.") % {"date": f"{account.past_due_since:%d.%m.%Y}"}
                    actions.suspend_commune(commune, actor=ACTOR, reason=reason)
                    account.suspended_by_billing = True
                    account.save(update_fields=["suspended_by_billing"])
                    audit.record("billing.suspended", actor=ACTOR, commune=commune, target=commune.slug)
                    notify_admins(
                        commune,
                        _("Kommunal: online services suspended"),
                        _(
                            "The online services of %(name)s are suspended because invoices remain unpaid. "
                            "They reopen automatically once the payment is received."
                        )
                        % {"name": commune.name}
                        + _with_invoices(account),
                    )
                suspended.append(commune)
    return suspended
