"""The staff inbox of a commune: its requests, their details and status changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import commune_staff_required
from citizen_requests import attachments, schema_form, selectors, services
from citizen_requests.forms import StatusChangeForm
from citizen_requests.models import CitizenRequest, Status
from tenants.db import connection


@commune_staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests, newest first, filtered by service and status."""
    service, status = request.GET.get("service", ""), request.GET.get("status", "")
    page = Paginator(selectors.inbox(service=service, status=status), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "services": [a.service for a in selectors.active_activations()],
        "statuses": Status.choices,
        "selected_service": service,
        "selected_status": status,
    }
    return render(request, "citizen_requests/inbox.html", context)


@commune_staff_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """One request with its data and history; staff change its status here."""
    citizen_request = get_object_or_404(
        CitizenRequest.objects.select_related("service", "version").prefetch_related("changes", "attachments"),
        tracking_number=tracking_number,
    )
    form = StatusChangeForm(request.POST or None, request_obj=citizen_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(
                citizen_request,
                to_status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
                actor=request.user.email,  # type: ignore[union-attr]
            )
        except ValidationError as exc:
            form.add_error("status", exc.message_dict.get("status", exc.messages))
        else:
            messages.success(request, _("The status was changed and the citizen informed."))
            return redirect("inbox:detail", tracking_number=citizen_request.tracking_number)
    fields = schema_form.build_fields(citizen_request.version, values=citizen_request.data)
    return render(
        request,
        "citizen_requests/detail.html",
        {"item": citizen_request, "fields": fields, "form": form},
        status=400 if form.errors else 200,
    )


@commune_staff_required  # type: ignore[arg-type]  # typed for HttpResponse; passes a FileResponse through
def attachment(request: HttpRequest, tracking_number: str, attachment_id: str) -> HttpResponseBase:
    """One attached file, as a download (never shown inline)."""
    found = selectors.attachment(tracking_number, attachment_id)
    if found is None:
        raise Http404(_("No such attachment."))
    try:
        return attachments.download_response(found, connection.schema_name)
    except FileNotFoundError as exc:
        raise Http404(_("No such attachment.")) from exc
