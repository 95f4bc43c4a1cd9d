"""The citizen's side: pick a free time, get it confirmed, cancel or move it, join the waitlist.

Works without JavaScript: radio buttons grouped by day in fieldsets, one submit button.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import availability, selectors, services
from appointments.models import Booking, ServiceSettings
from citizen_requests.models import CitizenRequest
from kommunal.error_summary import ErrorItem


def parse_slot(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _submitted_request(request: HttpRequest, settings: ServiceSettings) -> CitizenRequest | None:
    """The request this browser just submitted, when it is for this service."""
    number = request.session.get("submitted_request")
    if not number:
        return None
    return CitizenRequest.objects.filter(tracking_number=number, service_id=settings.activation.service_id).first()


def _picker_context(request: HttpRequest, settings: ServiceSettings) -> dict[str, object]:
    first, last, next_page = selectors.picker_window(settings, parse_day(request.GET.get("ab", "")))
    slots = availability.free_slots(settings, ags=selectors.commune_ags(), first=first, last=last)
    return {
        "settings": settings,
        "days": availability.slot_times_by_day(slots),
        "next_page": next_page,
        "has_any_slot": bool(slots) or bool(selectors.free_slots_in_horizon(settings)),
    }


def _render_picker(request: HttpRequest, settings: ServiceSettings, status: int = 200, **extra: object) -> HttpResponse:
    context = {**_picker_context(request, settings), **extra}
    errors = cast(dict[str, list[str]], extra.get("errors") or {})
    context["error_items"] = [
        ErrorItem("field-email" if field == "email" else "times", "", messages) for field, messages in errors.items()
    ]
    return render(request, "appointments/picker.html", context, status=status)


@require_http_methods(["GET", "POST"])
def pick(request: HttpRequest, slug: str) -> HttpResponse:
    """Free times of a service; booking one needs the chosen time and an e-mail address."""
    settings = selectors.bookable(slug)
    if settings is None:
        raise Http404(_("Appointments cannot be booked for this service."))
    citizen_request = _submitted_request(request, settings)
    email = request.POST.get("email", citizen_request.email if citizen_request else "").strip()
    if request.method == "GET":
        return _render_picker(request, settings, email=email)
    starts_at = parse_slot(request.POST.get("slot", ""))
    errors: dict[str, list[str]] = {}
    if starts_at is None:
        errors["slot"] = [_("Please choose a time.")]
    else:
        try:
            booking = services.book(
                settings,
                starts_at=starts_at,
                email=email,
                actor="citizen",
                language=translation.get_language() or "de",
                request=citizen_request,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except services.SlotTaken as exc:
            errors["slot"] = [str(exc)]
        else:
            messages.success(request, _("Your appointment is booked. We have sent you a confirmation by e-mail."))
            return redirect("appointments:manage", token=booking.token)
    return _render_picker(request, settings, status=409 if "slot" in errors else 400, email=email, errors=errors)


@require_POST
def join_waitlist(request: HttpRequest, slug: str) -> HttpResponse:
    settings = selectors.bookable(slug)
    if settings is None:
        raise Http404(_("Appointments cannot be booked for this service."))
    try:
        services.join_waitlist(
            settings,
            email=request.POST.get("email", ""),
            language=translation.get_language() or "de",
            request=_submitted_request(request, settings),
        )
    except ValidationError as exc:
        return _render_picker(request, settings, status=400, errors=exc.message_dict, email=request.POST.get("email"))
    return render(request, "appointments/waitlisted.html", {"settings": settings})


def _by_token(token: str) -> Booking:
    return get_object_or_404(Booking.objects.select_related("resource", "settings__activation__service"), token=token)


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mails: see the appointment, cancel it, or take a slot offered from the waitlist."""
    booking = _by_token(token)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.cancel(booking, actor=booking.email)
                messages.success(request, _("Your appointment is cancelled."))
            elif action == "accept":
                services.accept_offer(booking)
                messages.success(request, _("Your appointment is booked. We have sent you a confirmation by e-mail."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("appointments:manage", token=token)
    return render(request, "appointments/manage.html", {"booking": booking})


@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, token: str) -> HttpResponse:
    """Choose another free time for a booked appointment."""
    booking = _by_token(token)
    if booking.status != Booking.Status.BOOKED:
        return redirect("appointments:manage", token=token)
    if request.method == "GET":
        return _render_picker(request, booking.settings, booking=booking)
    starts_at = parse_slot(request.POST.get("slot", ""))
    if starts_at is None:
        return _render_picker(
            request, booking.settings, 400, booking=booking, errors={"slot": [_("Please choose a time.")]}
        )
    try:
        services.move(booking, starts_at=starts_at, actor=booking.email)
    except ValidationError as exc:
        return _render_picker(request, booking.settings, 400, booking=booking, errors=exc.message_dict)
    except services.SlotTaken as exc:
        return _render_picker(request, booking.settings, 409, booking=booking, errors={"slot": [str(exc)]})
    messages.success(request, _("Your appointment was moved. We have sent you a new confirmation by e-mail."))
    return redirect("appointments:manage", token=token)
