"""The integrations page of a commune's administrators: API keys and webhooks."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import commune_admin_required
from integrations import selectors, services
from integrations.forms import ApiKeyForm, WebhookForm


@commune_admin_required
def overview(request: HttpRequest) -> HttpResponse:
    """API keys and webhook subscriptions, with forms to add them; a new secret is shown once."""
    key_form, webhook_form = ApiKeyForm(prefix="key"), WebhookForm(prefix="webhook")
    new_secret = None
    new_webhook = None
    if request.method == "POST" and "key-name" in request.POST:
        key_form = ApiKeyForm(request.POST, prefix="key")
        if key_form.is_valid():
            days = key_form.cleaned_data["expires_in_days"]
            created = services.create_api_key(
                name=key_form.cleaned_data["name"],
                scopes=key_form.cleaned_data["scopes"],
                actor=request.user,  # type: ignore[arg-type]
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
            new_secret = created.secret
            key_form = ApiKeyForm(prefix="key")
    elif request.method == "POST":
        webhook_form = WebhookForm(request.POST, prefix="webhook")
        if webhook_form.is_valid():
            try:
                new_webhook = services.create_subscription(actor=request.user, **webhook_form.cleaned_data)  # type: ignore[arg-type]
                webhook_form = WebhookForm(prefix="webhook")
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        webhook_form.add_error(field, message)
    context = {
        "keys": selectors.api_keys()[:100],
        "subscriptions": selectors.subscriptions()[:100],
        "key_form": key_form,
        "webhook_form": webhook_form,
        "new_secret": new_secret,
        "new_webhook": new_webhook,
    }
    return render(request, "integrations/overview.html", context)


@commune_admin_required
@require_POST
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    key = services.revoke_api_key(get_object_or_404(selectors.api_keys(), pk=pk), actor=request.user.email)  # type: ignore[union-attr]
    messages.success(request, _("The API key %(prefix)s… was revoked.") % {"prefix": key.prefix})
    return redirect("integrations:overview")


@commune_admin_required
@require_POST
def delete_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_subscription(get_object_or_404(selectors.subscriptions(), pk=pk), actor=request.user.email)  # type: ignore[union-attr]
    messages.success(request, _("The webhook subscription was deleted."))
    return redirect("integrations:overview")
