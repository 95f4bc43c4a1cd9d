"""Free slots: opening hours minus breaks, holidays, closures and live bookings.

Opening hours are wall-clock times in Europe/Berlin. Each open interval of a day is turned into
UTC instants first and slots are laid out in real elapsed time from there, so a counter open
01:00-04:00 offers two hours of slots on the last Sunday of March and four on the last Sunday of
October. Everything after that is integer arithmetic on epoch seconds (see bench/appointments.py).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays
from django.db.models.expressions import RawSQL

from appointments.models import Booking, Closure, ServiceSettings, WeeklyPeriod

BERLIN = ZoneInfo("Europe/Berlin")

# The first two digits of the AGS name the Land; the holidays library knows them by ISO 3166-2 code.
LAND_SUBDIVISIONS = {
    "01": "SH",
    "02": "HH",
    "03": "NI",
    "04": "HB",
    "05": "NW",
    "06": "HE",
    "07": "RP",
    "08": "BW",
    "09": "BY",
    "10": "SL",
    "11": "BE",
    "12": "BB",
    "13": "MV",
    "14": "SN",
    "15": "ST",
    "16": "TH",
}


class Slot(NamedTuple):
    starts_at: datetime
    ends_at: datetime
    resource_id: int


@lru_cache(maxsize=64)
def _holidays(subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DE", subdiv=subdivision, years=year).keys())


def public_holidays(ags: str, first: date, last: date) -> set[date]:
    """Public holidays of the Land of the commune ``ags`` between ``first`` and ``last``."""
    subdivision = LAND_SUBDIVISIONS.get(ags[:2])
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= {day for day in _holidays(subdivision, year) if first <= day <= last}
    return days


def local_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def _subtract(opens: list[tuple[time, time]], breaks: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Open intervals of one weekday with the breaks cut out."""
    result: list[tuple[time, time]] = []
    for start, end in sorted(opens):
        pieces = [(start, end)]
        for b_start, b_end in breaks:
            pieces = [
                part for s, e in pieces for part in ((s, min(e, b_start)), (max(s, b_end), e)) if part[0] < part[1]
            ]
        result.extend(pieces)
    return result


def _weekly_hours(resource_ids: Iterable[int]) -> dict[tuple[int, int], list[tuple[time, time]]]:
    opens: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    breaks: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for period in WeeklyPeriod.objects.filter(resource_id__in=resource_ids):
        target = opens if period.kind == WeeklyPeriod.Kind.OPEN else breaks
        target[(period.resource_id, period.weekday)].append((period.starts, period.ends))
    return {key: _subtract(value, breaks.get(key, [])) for key, value in opens.items()}


def _closed_days(resource_ids: list[int], first: date, last: date) -> dict[int | None, set[date]]:
    closed: dict[int | None, set[date]] = defaultdict(set)
    closures = Closure.objects.filter(first_day__lte=last, last_day__gte=first).filter(
        resource_id__in=resource_ids
    ) | Closure.objects.filter(first_day__lte=last, last_day__gte=first, resource__isnull=True)
    for closure in closures:
        day = max(closure.first_day, first)
        while day <= min(closure.last_day, last):
            closed[closure.resource_id].add(day)
            day += timedelta(days=1)
    return closed


def _live_bookings(resource_ids: list[int], start: datetime, end: datetime) -> dict[int, tuple[list[int], list[int]]]:
    """Blocked ranges per resource as (starts, ends) epoch seconds, sorted (they never overlap).

    PostgreSQL hands out the epoch seconds: parsing thousands of ranges into datetimes would cost
    more than the whole slot computation.
    """
    ranges: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    rows = (
        Booking.objects.filter(resource_id__in=resource_ids, blocked__overlap=(start, end))
        .exclude(status=Booking.Status.CANCELLED)
        .annotate(
            lo=RawSQL("EXTRACT(EPOCH FROM lower(blocked))::bigint", ()),
            hi=RawSQL("EXTRACT(EPOCH FROM upper(blocked))::bigint", ()),
        )
        .order_by("resource_id", "lo")
        .values_list("resource_id", "lo", "hi")
    )
    for resource_id, lo, hi in rows:
        starts, ends = ranges[resource_id]
        starts.append(lo)
        ends.append(hi)
    return ranges


def free_slots(
    settings: ServiceSettings, *, ags: str, first: date, last: date, now: datetime | None = None
) -> list[Slot]:
    """Every free slot of the service's resources on the local days ``first``..``last``, by time."""
    resource_ids = [r.pk for r in settings.resources.all() if r.is_active]
    if not resource_ids or first > last:
        return []
    now_ts = int((now or datetime.now(UTC)).timestamp())
    hours = _weekly_hours(resource_ids)
    closed = _closed_days(resource_ids, first, last)
    holiday_days = public_holidays(ags, first, last)
    window_start = datetime.combine(first, time.min, tzinfo=BERLIN)
    window_end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=BERLIN)
    bookings = _live_bookings(resource_ids, window_start, window_end)
    slot, buffer = settings.slot_minutes * 60, settings.buffer_minutes * 60
    step = slot + buffer
    found: list[tuple[int, int]] = []
    instants: dict[tuple[date, time], int] = {}  # counters mostly share their hours

    def instant(day: date, moment: time) -> int:
        key = (day, moment)
        if key not in instants:
            instants[key] = int(datetime.combine(day, moment, tzinfo=BERLIN).timestamp())
        return instants[key]

    day = first
    while day <= last:
        if day not in holiday_days:
            weekday = day.weekday()
            for resource_id in resource_ids:
                intervals = hours.get((resource_id, weekday))
                if not intervals or day in closed[None] or day in closed[resource_id]:
                    continue
                starts, ends = bookings.get(resource_id, ([], []))
                for opens, closes in intervals:
                    lo, hi = instant(day, opens), instant(day, closes)
                    blocked_from = lo
                    while blocked_from + step <= hi:
                        begins = blocked_from + buffer
                        if begins > now_ts:
                            i = bisect.bisect_right(ends, blocked_from)
                            if i == len(starts) or starts[i] >= begins + slot:
                                found.append((begins, resource_id))
                        blocked_from += step
        day += timedelta(days=1)
    found.sort()
    moments: dict[int, datetime] = {}  # counters share their slot times: convert each once

    def moment(ts: int) -> datetime:
        if ts not in moments:
            moments[ts] = datetime.fromtimestamp(ts, UTC)
        return moments[ts]

    make = Slot._make  # tuple.__new__ underneath: a third cheaper than Slot(...) for 10,000s of slots
    return [make((moment(ts), moment(ts + slot), resource_id)) for ts, resource_id in found]


def slot_times_by_day(slots: list[Slot]) -> list[tuple[date, list[datetime]]]:
    """Distinct start times per local day (any resource free), for the citizen's picker."""
    days: dict[date, list[datetime]] = {}
    for slot in slots:
        times = days.setdefault(local_day(slot.starts_at), [])
        if not times or times[-1] != slot.starts_at:
            times.append(slot.starts_at)
    return list(days.items())
