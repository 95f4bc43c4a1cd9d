"""Booking, moving and cancelling appointments, staff check-in, and the waitlist.

Every change writes a ``BookingChange`` (who, when) and an audit entry in the same transaction;
e-mails and webhook events follow after the commit. Double bookings are refused by PostgreSQL
(exclusion constraint ``booking_no_overlap``): a lost race surfaces as ``SlotTaken``.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta
from typing import Any

import psycopg.errors
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.range import TimestamptzRange

from appointments import availability, events, notifications
from appointments.models import Booking, BookingChange, Mode, ServiceSettings, WaitlistEntry
from audit import services as audit
from citizen_requests.models import CitizenRequest
from tenants import due_work
from tenants.db import on_commit_in_current_schema
from tenants.models import Commune, DueWork

# How long a freed slot is held for the citizen next on the waitlist.
HOLD_HOURS = 12


class SlotTaken(Exception):
    """The chosen time is no longer free (someone else booked it first)."""

    def __init__(self) -> None:
        super().__init__(_("This time has just been booked by someone else. Please choose another time."))


def _commune() -> Commune | None:
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Commune) else None


def _ags() -> str:
    commune = _commune()
    return commune.ags if commune else ""


def _record(booking: Booking, action: str, actor: str, *, from_starts_at: datetime | None = None) -> None:
    BookingChange.objects.create(
        booking=booking, action=action, actor=actor, from_starts_at=from_starts_at, to_starts_at=booking.starts_at
    )
    audit.record(f"appointment.{action}", actor=actor, commune=_commune(), target=str(booking.pk))


def _after_commit(booking: Booking, event: str, mail: str | None) -> None:
    if mail:
        on_commit_in_current_schema(lambda: notifications.send(mail, booking, _commune()))
    on_commit_in_current_schema(lambda: events.emit(event, booking))


def free_resources(settings: ServiceSettings, starts_at: datetime) -> list[int]:
    """The resources of the service on which a slot starts at ``starts_at`` and is free now."""
    day = availability.local_day(starts_at)
    return [
        slot.resource_id
        for slot in availability.free_slots(settings, ags=_ags(), first=day, last=day)
        if slot.starts_at == starts_at
    ]


def _utc(starts_at: datetime) -> datetime:
    try:
        return starts_at.astimezone(UTC)
    except OverflowError as exc:
        raise ValidationError({"starts_at": [_("Please choose a time in the future.")]}) from exc


def _validate(settings: ServiceSettings, email: str, starts_at: datetime) -> None:
    errors: dict[str, list[str]] = {}
    last_day = timezone.localdate(timezone=availability.BERLIN) + timedelta(days=settings.horizon_days)
    if starts_at <= timezone.now():
        errors["starts_at"] = [_("Please choose a time in the future.")]
    elif availability.local_day(starts_at) > last_day:
        errors["starts_at"] = [
            _("Appointments can be booked at most %(days)s days ahead.") % {"days": settings.horizon_days}
        ]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Please enter a valid e-mail address.")]
    if settings.mode == Mode.NONE or not settings.activation.is_active:
        errors["service"] = [_("Appointments cannot be booked for this service.")]
    if errors:
        raise ValidationError(errors)


def booking_range(settings: ServiceSettings, starts_at: datetime) -> dict[str, Any]:
    """Start, end and the blocked range (buffer plus slot) of a booking at ``starts_at``."""
    ends_at = starts_at + timedelta(minutes=settings.slot_minutes)
    begins = starts_at - timedelta(minutes=settings.buffer_minutes)
    return {"starts_at": starts_at, "ends_at": ends_at, "blocked": TimestamptzRange(begins, ends_at, "[)")}


# What a booking insert raises when another transaction took the time first (see ``_occupy``).
LOST_RACE = (IntegrityError, OperationalError)


def _occupy(create: Any, resource_ids: list[int]) -> Booking:
    """Try the free resources in turn; PostgreSQL decides who gets a contested one.

    Two simultaneous inserts into the exclusion constraint can each wait for the other; PostgreSQL
    then cancels one of them as a deadlock. That one lost the race just like an exclusion
    violation, so it goes on to the next resource too.
    """
    for resource_id in resource_ids:
        try:
            with transaction.atomic():
                return create(resource_id)  # type: ignore[no-any-return]
        except LOST_RACE as error:
            _raise_unless_lost_race(error)
    raise SlotTaken


def _raise_unless_lost_race(error: Exception) -> None:
    """Re-raise ``error`` unless it is an exclusion violation or a deadlock of the booking insert."""
    if isinstance(error, OperationalError) and not isinstance(error.__cause__, psycopg.errors.DeadlockDetected):
        raise error


@transaction.atomic
def book(
    settings: ServiceSettings,
    *,
    starts_at: datetime,
    email: str,
    actor: str,
    language: str = "de",
    request: CitizenRequest | None = None,
) -> Booking:
    """Book the slot at ``starts_at`` on any free resource of the service.

    Raises ``ValidationError`` (per field) for bad input and ``SlotTaken`` when the time is not
    (or no longer) free; nothing is stored then.
    """
    starts_at = _utc(starts_at)
    email = email.strip()
    _validate(settings, email, starts_at)
    resource_ids = free_resources(settings, starts_at)

    def create(resource_id: int) -> Booking:
        return Booking.objects.create(
            resource_id=resource_id,
            settings=settings,
            request=request,
            email=email,
            language=language[:2] if language[:2] in ("de", "en") else "de",
            token=secrets.token_urlsafe(32),
            **booking_range(settings, starts_at),
        )

    booking = _occupy(create, resource_ids)
    _note_reminder(booking.starts_at)
    _record(booking, "booked", actor)
    _after_commit(booking, "appointment.booked", "confirmation")
    return booking


@transaction.atomic
def move(booking: Booking, *, starts_at: datetime, actor: str) -> Booking:
    """Move a booking to another free slot of its service (the old slot frees up)."""
    booking = Booking.objects.select_for_update().select_related("settings__activation").get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError({"status": _("Only a booked appointment can be moved.")})
    starts_at = _utc(starts_at)
    _validate(booking.settings, booking.email, starts_at)
    old_start, old_resource = booking.starts_at, booking.resource_id

    def update(resource_id: int) -> Booking:
        for name, value in {"resource_id": resource_id, **booking_range(booking.settings, starts_at)}.items():
            setattr(booking, name, value)
        booking.reminded_at = None
        booking.save()
        return booking

    booking = _occupy(update, free_resources(booking.settings, starts_at))
    _note_reminder(booking.starts_at)
    _record(booking, "moved", actor, from_starts_at=old_start)
    _after_commit(booking, "appointment.moved", "confirmation")
    _offer_freed_slot(booking.settings, old_resource, old_start)
    return booking


@transaction.atomic
def cancel(booking: Booking, *, actor: str) -> Booking:
    """Cancel a booking or a held offer; a freed future slot is offered to the waitlist."""
    booking = Booking.objects.select_for_update().select_related("settings").get(pk=booking.pk)
    if booking.status not in (Booking.Status.BOOKED, Booking.Status.HELD):
        raise ValidationError({"status": _("This appointment cannot be cancelled any more.")})
    was_held = booking.status == Booking.Status.HELD
    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status"])
    _record(booking, "cancelled", actor)
    _after_commit(booking, "appointment.cancelled", None if was_held else "cancelled")
    if was_held:
        WaitlistEntry.objects.filter(offer=booking).update(status=WaitlistEntry.Status.LEFT)
    _offer_freed_slot(booking.settings, booking.resource_id, booking.starts_at)
    return booking


STAFF_TRANSITIONS = {"checked_in": Booking.Status.CHECKED_IN, "no_show": Booking.Status.NO_SHOW}


@transaction.atomic
def mark(booking: Booking, *, action: str, actor: str) -> Booking:
    """Staff at the counter: the citizen checked in, or did not come."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if action not in STAFF_TRANSITIONS or booking.status != Booking.Status.BOOKED:
        raise ValidationError({"status": _("This change is not possible for this appointment.")})
    booking.status = STAFF_TRANSITIONS[action]
    booking.save(update_fields=["status"])
    _record(booking, action, actor)
    _after_commit(booking, f"appointment.{action}", None)
    return booking


# --- Waitlist -------------------------------------------------------------------------------


@transaction.atomic
def join_waitlist(
    settings: ServiceSettings, *, email: str, language: str = "de", request: CitizenRequest | None = None
) -> WaitlistEntry:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": [_("Please enter a valid e-mail address.")]}) from exc
    entry, _created = WaitlistEntry.objects.get_or_create(
        settings=settings,
        email=email,
        status=WaitlistEntry.Status.WAITING,
        defaults={"language": language[:2] if language[:2] in ("de", "en") else "de", "request": request},
    )
    audit.record("appointment.waitlist_joined", actor="citizen", commune=_commune(), target=str(entry.pk))
    return entry


def _offer_freed_slot(settings: ServiceSettings, resource_id: int, starts_at: datetime) -> Booking | None:
    """Hold the freed slot for the next citizen on the service's waitlist and e-mail them."""
    now = timezone.now()
    if starts_at <= now:
        return None
    entry = (
        WaitlistEntry.objects.select_for_update(skip_locked=True)
        .filter(settings=settings, status=WaitlistEntry.Status.WAITING)
        .order_by("joined_at", "id")
        .first()
    )
    if entry is None:
        return None
    held_until = min(now + timedelta(hours=HOLD_HOURS), starts_at)
    try:
        with transaction.atomic():
            hold = Booking.objects.create(
                resource_id=resource_id,
                settings=settings,
                request=entry.request,
                email=entry.email,
                language=entry.language,
                status=Booking.Status.HELD,
                held_until=held_until,
                token=secrets.token_urlsafe(32),
                **booking_range(settings, starts_at),
            )
    except LOST_RACE as error:  # someone booked the freed slot in the meantime
        _raise_unless_lost_race(error)
        return None
    due_work.note(DueWork.Kind.APPOINTMENT_HOUSEKEEPING, held_until)
    entry.status, entry.offer = WaitlistEntry.Status.OFFERED, hold
    entry.save(update_fields=["status", "offer"])
    _record(hold, "offered", "waitlist")
    on_commit_in_current_schema(lambda: notifications.send("offer", hold, _commune()))
    return hold


@transaction.atomic
def accept_offer(hold: Booking) -> Booking:
    """The citizen takes the slot held for them: it becomes an ordinary booking."""
    hold = Booking.objects.select_for_update().get(pk=hold.pk)
    if hold.status != Booking.Status.HELD or (hold.held_until and hold.held_until < timezone.now()):
        raise ValidationError({"status": _("This offer has expired.")})
    hold.status, hold.held_until = Booking.Status.BOOKED, None
    hold.save(update_fields=["status", "held_until"])
    WaitlistEntry.objects.filter(offer=hold).update(status=WaitlistEntry.Status.BOOKED)
    _note_reminder(hold.starts_at)
    _record(hold, "booked", hold.email)
    _after_commit(hold, "appointment.booked", "confirmation")
    return hold


def _reminder_due(starts_at: datetime) -> datetime:
    """When the reminder of an appointment at ``starts_at`` is due: the start of the local day before."""
    day_before = availability.local_day(starts_at) - timedelta(days=1)
    return datetime.combine(day_before, time.min, tzinfo=availability.BERLIN)


def _note_reminder(starts_at: datetime) -> None:
    """Index the reminder in the public list of due work, so housekeeping visits this commune then."""
    due_work.note(DueWork.Kind.APPOINTMENT_HOUSEKEEPING, _reminder_due(starts_at))


def next_housekeeping() -> datetime | None:
    """When this commune next has an offer to expire or a reminder to send (``None``: never)."""
    held = Booking.objects.filter(status=Booking.Status.HELD).aggregate(due=Min("held_until"))["due"]
    first = Booking.objects.filter(
        status=Booking.Status.BOOKED, reminded_at__isnull=True, starts_at__gt=timezone.now()
    ).aggregate(first=Min("starts_at"))["first"]
    candidates = [due for due in (held, first and _reminder_due(first)) if due is not None]
    return min(candidates) if candidates else None


def run_housekeeping() -> tuple[int, int]:
    """Expire offers and send reminders in the communes that have some due (the index of due work);
    returns (offers passed on, reminders sent). No other commune is visited."""
    expired = reminded = 0

    def in_schema() -> datetime | None:
        nonlocal expired, reminded
        expired += expire_offers()
        reminded += send_reminders()
        return next_housekeeping()

    due_work.run_due(DueWork.Kind.APPOINTMENT_HOUSEKEEPING, in_schema)
    return expired, reminded


def expire_offers() -> int:
    """Release holds whose time ran out; each slot goes to the next citizen in line."""
    expired = 0
    for hold_id in Booking.objects.filter(status=Booking.Status.HELD, held_until__lt=timezone.now()).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Booking.objects.select_for_update().select_related("settings").get(pk=hold_id)
            if hold.status != Booking.Status.HELD:
                continue
            hold.status = Booking.Status.CANCELLED
            hold.save(update_fields=["status"])
            WaitlistEntry.objects.filter(offer=hold).update(status=WaitlistEntry.Status.LEFT)
            _record(hold, "offer_expired", "waitlist")
            _offer_freed_slot(hold.settings, hold.resource_id, hold.starts_at)
            expired += 1
    return expired


def send_reminders(now: datetime | None = None) -> int:
    """E-mail everyone whose appointment is on the next local day (once per booking)."""
    now = now or timezone.now()
    tomorrow = availability.local_day(now) + timedelta(days=1)
    begins = datetime.combine(tomorrow, time.min, tzinfo=availability.BERLIN)
    ends = datetime.combine(tomorrow + timedelta(days=1), time.min, tzinfo=availability.BERLIN)
    due = Booking.objects.filter(
        status=Booking.Status.BOOKED, reminded_at__isnull=True, starts_at__gte=begins, starts_at__lt=ends
    )
    sent = 0
    for booking in due.select_related("resource", "settings__activation__service"):
        notifications.send("reminder", booking, _commune())
        Booking.objects.filter(pk=booking.pk).update(reminded_at=now)
        sent += 1
    return sent


@transaction.atomic
def save_setup(form: Any, *, actor: str) -> Any:
    """Save one validated setup form (counter, hours, closure, service settings) with its audit entry."""
    saved = form.save()
    audit.record(f"appointment.{saved._meta.model_name}_saved", actor=actor, commune=_commune(), target=str(saved.pk))
    return saved
