"""The staff's side: set up counters and services, the day plan per counter, one booking with its history."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import commune_staff_required
from appointments import availability, selectors, services
from appointments.forms import SETUP_FORMS
from appointments.models import Booking, Closure, Resource, ServiceSettings
from appointments.views import parse_day, parse_slot


def _actor(request: HttpRequest) -> str:
    return str(request.user.email)  # type: ignore[union-attr]


@commune_staff_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Counters with their hours and closures, and how each service is booked; one form per POST."""
    kind = request.POST.get("form", "")
    forms = {name: form_class() for name, form_class in SETUP_FORMS.items()}
    status = 200
    if request.method == "POST" and kind in SETUP_FORMS:
        instance: ServiceSettings | None = None
        if kind == "service":
            activation_id = request.POST.get("service-activation", "")
            if activation_id.isdigit():
                instance = ServiceSettings.objects.filter(activation_id=int(activation_id)).first()
        form = SETUP_FORMS[kind](request.POST, instance=instance)
        if form.is_valid():
            services.save_setup(form, actor=_actor(request))
            messages.success(request, _("Saved."))
            return redirect("appointments-staff:setup")
        forms[kind], status = form, 400
    context = {
        "forms": forms,
        "resources": Resource.objects.prefetch_related("periods"),
        "closures": Closure.objects.filter(last_day__gte=selectors.today()).select_related("resource"),
        "service_settings": ServiceSettings.objects.select_related("activation__service").prefetch_related("resources"),
        "today": selectors.today(),
    }
    return render(request, "appointments/staff/setup.html", context, status=status)


@commune_staff_required
def day_plan(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Who comes when, for which request, at one counter on one day."""
    resource = get_object_or_404(Resource, pk=resource_id)
    day = parse_day(request.GET.get("tag", "")) or selectors.today()
    context = {
        "resource": resource,
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "bookings": selectors.day_plan(resource.pk, day),
    }
    return render(request, "appointments/staff/day_plan.html", context)


@commune_staff_required
@require_http_methods(["GET", "POST"])
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One appointment: check-in, no-show, cancel or move on the citizen's behalf; its history."""
    booking = get_object_or_404(
        Booking.objects.select_related("resource", "settings__activation__service", "request").prefetch_related(
            "changes"
        ),
        pk=pk,
    )
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "cancel":
                services.cancel(booking, actor=_actor(request))
            elif action == "move":
                starts_at = parse_slot(request.POST.get("slot", ""))
                if starts_at is None:
                    raise ValidationError({"slot": [_("Please choose a time.")]})
                services.move(booking, starts_at=starts_at, actor=_actor(request))
            else:
                services.mark(booking, action=action, actor=_actor(request))
        except ValidationError as exc:
            errors = exc.messages
        except services.SlotTaken as exc:
            errors = [str(exc)]
        else:
            messages.success(request, _("Saved."))
            return redirect("appointments-staff:booking", pk=booking.pk)
    day = availability.local_day(booking.starts_at)
    first, last = max(day - timedelta(days=7), selectors.today()), day + timedelta(days=7)
    slots = availability.free_slots(booking.settings, ags=selectors.commune_ags(), first=first, last=last)
    context = {"booking": booking, "errors": errors, "days": availability.slot_times_by_day(slots)}
    return render(request, "appointments/staff/booking.html", context, status=400 if errors else 200)
