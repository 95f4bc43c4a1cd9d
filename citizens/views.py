"""Citizen pages: login with the citizen account, "Meine Anträge", the Postfach, the account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import commune_staff_required
from citizen_requests import schema_form
from citizen_requests.models import CitizenRequest
from citizens import oidc, selectors, services, session
from citizens.models import Login, Message
from citizens.oidc import LoginRefused, PendingLogin

REASONS = {
    "not_configured": gettext_lazy("Login with the citizen account is not set up for this commune."),
    "state_mismatch": gettext_lazy("This login link is not valid (any more). Please start the login again."),
    "provider_error": gettext_lazy("The identity provider did not confirm the login."),
    "code_refused": gettext_lazy(
        "The identity provider refused the login code (used before, expired or not issued for us)."
    ),
}


def _safe_next(request: HttpRequest, value: str) -> str:
    ok = url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return value if value and ok else reverse("citizens:requests")


def _refused(request: HttpRequest, reason: str, detail: str = "", status: int = 403) -> HttpResponse:
    services.refuse_login(reason, detail)
    return render(
        request,
        "citizens/login_refused.html",
        {"reason": reason, "explanation": REASONS.get(reason, _("The login could not be verified and was refused."))},
        status=status,
    )


def login(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the identity provider (state, nonce and PKCE challenge in the URL)."""
    config = oidc.current_config()
    if config is None:
        return _refused(request, "not_configured", status=503)
    redirect_uri = request.build_absolute_uri(reverse("citizens:callback"))
    try:
        url, pending = oidc.begin(
            config, redirect_uri=redirect_uri, next_url=_safe_next(request, request.GET.get("next", ""))
        )
    except LoginRefused as exc:
        return _refused(request, exc.reason, exc.detail, status=502)
    request.session[session.PENDING_KEY] = pending.as_dict()
    return redirect(url)


def callback(request: HttpRequest) -> HttpResponse:
    """The provider's redirect back: check state, redeem the code, verify the ID token, sign in."""
    stored = request.session.pop(session.PENDING_KEY, None)  # one attempt per started login
    state = request.GET.get("state", "")
    if not isinstance(stored, dict) or not state or stored.get("state") != state:
        return _refused(request, "state_mismatch", status=400)
    pending = PendingLogin(**stored)
    if "error" in request.GET:
        return _refused(request, "provider_error", request.GET.get("error", "")[:200])
    config = oidc.current_config()
    if config is None:
        return _refused(request, "not_configured", status=503)
    try:
        claims = oidc.complete(config, pending, code=request.GET.get("code", ""))
    except LoginRefused as exc:
        return _refused(request, exc.reason, exc.detail)
    login = services.record_login(config, claims)
    session.start(request, login)
    return redirect(pending.next_url)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session.end(request)
    return redirect("portal:home")


@session.citizen_required
def my_requests(request: HttpRequest, login: Login) -> HttpResponse:
    """Meine Anträge: every request of the citizen in this commune with its status."""
    items = selectors.requests_of(login.citizen)
    return render(request, "citizens/requests.html", {"items": items, "login": login})


@session.citizen_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, login: Login, tracking_number: str) -> HttpResponse:
    """One of the citizen's requests: data, history and the message thread with a reply form."""
    item = selectors.request_of(login.citizen, tracking_number)
    if item is None:
        raise Http404(_("No such request."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.reply(
                login.citizen, item, body=request.POST.get("body", ""), attachment=request.FILES.get("attachment")
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("citizens:request", tracking_number=item.tracking_number)
    thread = list(selectors.thread(item))
    for message in thread:
        services.mark_read(message)
    context = {
        "item": item,
        "fields": schema_form.build_fields(item.version, values=item.data),
        "thread": thread,
        "errors": errors,
        "body": request.POST.get("body", ""),
    }
    return render(request, "citizens/request_detail.html", context, status=400 if errors else 200)


@session.citizen_required
def download_data(request: HttpRequest, login: Login, tracking_number: str) -> HttpResponse:
    """What the citizen submitted, as a JSON file."""
    item = selectors.request_of(login.citizen, tracking_number)
    if item is None:
        raise Http404(_("No such request."))
    document = {
        "tracking_number": item.tracking_number,
        "service": item.service.slug,
        "version": item.version.number,
        "submitted_at": item.submitted_at.isoformat(),
        "email": item.email,
        "data": item.data,
    }
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{item.tracking_number}.json"'
    return response


@session.citizen_required
def mailbox(request: HttpRequest, login: Login) -> HttpResponse:
    """The Postfach: messages from the office, newest first."""
    return render(request, "citizens/mailbox.html", {"items": selectors.mailbox(login.citizen)})


@session.citizen_required
def attachment(request: HttpRequest, login: Login, message_id: int) -> HttpResponseBase:
    """An attachment of one of the citizen's own messages."""
    message = selectors.message_of(login.citizen, message_id)
    if message is None or not message.attachment:
        raise Http404(_("No such attachment."))
    return _attachment_response(message)


def _attachment_response(message: Message) -> FileResponse:
    return FileResponse(message.attachment.open("rb"), as_attachment=True, filename=message.attachment_name)


@session.citizen_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest, login: Login) -> HttpResponse:
    """The account's stored data and its deletion."""
    if request.method == "POST" and request.POST.get("confirm") == "delete":
        services.delete_account(login.citizen)
        session.end(request)
        messages.success(request, _("Your account was deleted."))
        return redirect("portal:home")
    return render(
        request,
        "citizens/account.html",
        {"login": login, "citizen": login.citizen, "retention_days": services.retention_days()},
    )


@commune_staff_required
@require_POST
def staff_send(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Staff send a message (with an optional attachment) to the citizen of a request."""
    item = CitizenRequest.objects.filter(tracking_number=tracking_number).first()
    if item is None:
        raise Http404(_("No such request."))
    try:
        services.send_message(
            item,
            sender=request.user.email,  # type: ignore[union-attr]
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
            attachment=request.FILES.get("attachment"),
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The message is in the citizen's mailbox; they were told by e-mail."))
    return redirect("inbox:detail", tracking_number=item.tracking_number)


@commune_staff_required
def staff_attachment(request: HttpRequest, message_id: int) -> HttpResponseBase:
    """An attachment of any message in this commune's inbox threads."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None or not message.attachment:
        raise Http404(_("No such attachment."))
    return _attachment_response(message)
