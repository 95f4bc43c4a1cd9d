"""Billing pages: invoices for a commune's admins, the billing overview for operators, Stripe's webhook."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.decorators import commune_admin_required
from billing import selectors, services, stripe_api, webhooks, xrechnung
from billing.forms import EInvoiceForm
from billing.models import BillingAccount
from operators.decorators import operator_required
from operators.models import Role

logger = logging.getLogger(__name__)


@commune_admin_required
def invoices(request: HttpRequest) -> HttpResponse:
    """The commune's invoices and upcoming invoice, for its administrators on its own host."""
    commune = request.commune  # type: ignore[attr-defined]
    account = BillingAccount.objects.filter(commune=commune).first()
    form = EInvoiceForm(instance=account) if account else None
    if account and request.method == "POST":
        form = EInvoiceForm(request.POST, instance=BillingAccount.objects.get(pk=account.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.save_einvoice_details(account, changes=changes, actor=request.user.get_username())
            messages.success(request, _("Invoice address saved."))
            return redirect("billing:invoices")
    context = {
        "enabled": stripe_api.enabled(),
        "invoices": selectors.invoices_of(commune)[:100],
        "upcoming": selectors.upcoming_invoices(commune),
        "state": selectors.billing_state(commune),
        "form": form,
    }
    return render(request, "billing/invoices.html", context)


@commune_admin_required
def xrechnung_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The XRechnung of one of the commune's own invoices, validated; 409 when it cannot be valid."""
    invoice = (
        selectors.invoices_of(request.commune)  # type: ignore[attr-defined]
        .select_related("account__commune")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    try:
        document = xrechnung.build(invoice)
    except xrechnung.XRechnungError:
        xrechnung.flag(invoice)
        return render(request, "billing/xrechnung_refused.html", {"invoice": invoice}, status=409)
    response = HttpResponse(document, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{xrechnung.filename(invoice)}"'
    return response


@operator_required(Role.VIEWER)
def operator_overview(request: HttpRequest) -> HttpResponse:
    """Billing state of every billed commune, overdue first, for the provider's operators."""
    page = Paginator(selectors.billing_overview(), 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "enabled": stripe_api.enabled(),
        "flagged": selectors.flagged_invoices()[:100],
        "unsent": selectors.xrechnungen_to_send().filter(xrechnung_problem="")[:100],
        "figures": selectors.billing_figures(),
    }
    return render(request, "billing/operator_overview.html", context)


@require_POST
@operator_required(Role.OPERATOR)
def operator_send_xrechnung(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail one invoice's XRechnung to its commune now (again, if it was sent before)."""
    invoice = selectors.finalised_invoices().filter(pk=pk).first()
    if invoice is None:
        raise Http404
    if services.send_xrechnung(invoice):
        messages.success(request, _("XRechnung %(number)s sent.") % {"number": invoice.number})
    else:
        messages.error(
            request, _("XRechnung %(number)s not sent: its data is incomplete.") % {"number": invoice.number}
        )
    return redirect("billing_public:operator-overview")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Receive a Stripe event: 400 unless signed by Stripe, 500 (Stripe retries) when its handler fails.

    A signed event of a shape the handlers cannot use is recorded and acknowledged (200): a retry
    would not make it usable.
    """
    if not stripe_api.enabled() or not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponse(status=404)
    try:
        document = webhooks.verify(request.body, request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("invalid signature")
    try:
        event = webhooks.parse(document)
    except webhooks.UnusableEvent as unusable:
        webhooks.record_unusable(request.body, document, str(unusable))
        return HttpResponse("ignored: unusable event")
    try:
        processed = webhooks.process(event)
    except Exception:
        logger.exception("Stripe event %s (%s) failed; Stripe will retry", event.id, event.type)
        return HttpResponse("handler failed", status=500)
    return HttpResponse("processed" if processed else "duplicate")
