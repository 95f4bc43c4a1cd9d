"""Paying a fee (citizen, commune host), connecting the commune's account (admin), the Connect webhook."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import commune_admin_required
from citizen_requests.models import CitizenRequest, PaymentStatus
from payments import links, providers, services

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    """The fee of one request: its state, and the way to the provider's checkout."""
    tracking_number = links.tracking_number(token)
    found = (
        CitizenRequest.objects.select_related("service").filter(tracking_number=tracking_number).first()
        if tracking_number
        else None
    )
    if found is None or found.payment_status == PaymentStatus.NONE:
        raise Http404(_("There is no fee to pay here."))
    error = ""
    if request.method == "POST":
        try:
            checkout = services.start_payment(
                request.commune,  # type: ignore[attr-defined]
                found,
                return_url=request.build_absolute_uri(),
            )
        except LookupError:
            error = _("This fee cannot be paid online right now.")
        except providers.ProviderUnavailable:
            error = _("The payment service is not reachable right now. Please try again later.")
        else:
            return redirect(checkout.url)
    payable = found.payment_status in (PaymentStatus.UNPAID, PaymentStatus.FAILED)
    context = {"item": found, "payable": payable, "error": error}
    return render(request, "payments/pay.html", context, status=503 if error else 200)


@commune_admin_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The commune's payment account: connect it and complete the provider's onboarding."""
    commune = request.commune  # type: ignore[attr-defined]
    if request.method == "POST":
        if not providers.enabled():
            messages.error(request, _("Online payment is not configured on this platform."))
            return redirect("payments:account")
        try:
            url = services.onboarding_url(
                commune,
                email=request.user.email,  # type: ignore[union-attr]
                return_url=request.build_absolute_uri(),
                actor=request.user.email,  # type: ignore[union-attr]
            )
        except providers.ProviderUnavailable:
            messages.error(request, _("The payment service is not reachable right now. Please try again later."))
            return redirect("payments:account")
        return redirect(url)
    found = services.account_of(commune)
    if found is not None and providers.enabled():
        try:
            found = services.refresh_account(found)
        except providers.ProviderUnavailable:
            messages.error(request, _("The payment service is not reachable right now. Please try again later."))
    context = {"account": found, "enabled": providers.enabled()}
    return render(request, "payments/account.html", context)


@csrf_exempt
@require_POST
def stripe_connect_webhook(request: HttpRequest) -> HttpResponse:
    """Status events of connected accounts: 400 unless signed, 500 (the provider retries) on failure."""
    if not providers.enabled():
        return HttpResponse(status=404)
    try:
        event = providers.provider().parse_event(request.body, request.headers.get("Stripe-Signature", ""))
    except providers.InvalidEvent:
        return HttpResponseBadRequest("invalid signature")
    if event is None:
        return HttpResponse("ignored")
    try:
        changed = services.apply_event(event)
    except Exception:
        logger.exception("Payment event %s (%s) failed; the provider will retry", event.event_id, event.type)
        return HttpResponse("handler failed", status=500)
    return HttpResponse("applied" if changed else "unchanged")
