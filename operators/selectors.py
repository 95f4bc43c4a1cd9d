"""What the console and the operator API read: tenants with their figures, audit events, usage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from audit.models import AuditEvent
from catalog.models import Service, ServiceVersion
from operators.models import RequestsPerWeek, ServiceUsage
from tenants.migration_state import expected_tenant_migrations
from tenants.models import Commune

MIGRATION_CURRENT = "current"
MIGRATION_BEHIND = "behind"
# Billing state filter: no billing account yet, paying, or with invoices overdue (dunning).
BILLING_NONE = "none"
BILLING_CURRENT = "current"
BILLING_OVERDUE = "overdue"
BILLING_FILTERS = {
    BILLING_NONE: Q(billing_account__isnull=True),
    BILLING_CURRENT: Q(billing_account__isnull=False, billing_account__past_due_since__isnull=True),
    BILLING_OVERDUE: Q(billing_account__past_due_since__isnull=False),
}


def tenants(filters: dict[str, Any] | None = None) -> QuerySet[Commune]:
    """Communes with their figures and billing account (one query).

    Filters: q, status, land, landkreis, migration (current/behind), billing (none/current/overdue).
    """
    filters = filters or {}
    current = Q(applied_migrations__contains=expected_tenant_migrations())
    qs = Commune.objects.select_related("stats", "billing_account").annotate(
        migration_current=ExpressionWrapper(current, output_field=BooleanField())
    )
    if query := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=query) | Q(slug__icontains=query) | Q(ags__startswith=query))
    for field in ("status", "land", "landkreis"):
        if value := filters.get(field):
            qs = qs.filter(**{field: value})
    if filters.get("migration") == MIGRATION_CURRENT:
        qs = qs.filter(current)
    elif filters.get("migration") == MIGRATION_BEHIND:
        qs = qs.exclude(current)
    if billing := BILLING_FILTERS.get(filters.get("billing") or ""):
        qs = qs.filter(billing)
    return qs.order_by("name", "pk")


def filter_choices() -> dict[str, list[str]]:
    """Distinct Länder and districts of registered communes, for the filter form."""
    return {
        "lands": list(Commune.objects.order_by("land").values_list("land", flat=True).distinct()),
        "landkreise": list(Commune.objects.order_by("landkreis").values_list("landkreis", flat=True).distinct()),
    }


def _moment(value: str | None, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None and (day := parse_date(value)) is not None:
        moment = datetime.combine(day + timedelta(days=1) if end else day, datetime.min.time())
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def audit_events(filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    """Audit events, newest first; filters: commune (slug), actor, action (prefix), since, until."""
    filters = filters or {}
    qs = AuditEvent.objects.all()
    if slug := filters.get("commune"):
        qs = qs.filter(commune__in=Commune.objects.filter(slug=slug).values("pk"))
    if actor := (filters.get("actor") or "").strip():
        qs = qs.filter(actor__icontains=actor)
    if action := (filters.get("action") or "").strip():
        qs = qs.filter(action__startswith=action)
    if since := _moment(filters.get("since")):
        qs = qs.filter(at__gte=since)
    if until := _moment(filters.get("until"), end=True):
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: label, value and its share of the largest value in percent."""

    label: str
    value: int
    percent: int


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((value for _label, value in pairs), default=0) or 1
    return [Bar(label, value, round(100 * value / top)) for label, value in pairs]


def usage_overview(weeks: int = 12) -> dict[str, list[Bar]]:
    """Communes by status, registrations and citizens' requests per week, activations per service.

    Registry queries plus the figures of the last ``refresh_tenant_stats``; no tenant schema is read.
    """
    labels = dict(Commune.Status.choices)
    by_status = Commune.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    since = timezone.now() - timedelta(weeks=weeks)
    per_week = (
        Commune.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    usage = list(ServiceUsage.objects.order_by("-active_communes", "service_id")[:20])
    titles = dict(Service.objects.filter(pk__in=[u.service_id for u in usage]).values_list("pk", "slug"))
    return {
        "by_status": _bars([(str(labels.get(status, status)), n) for status, n in by_status]),
        "registered_per_week": _bars([(f"{week:%Y-%m-%d}", n) for week, n in per_week]),
        "requests_per_week": _bars(
            [(f"{row.week:%Y-%m-%d}", row.requests) for row in RequestsPerWeek.objects.filter(week__gte=since.date())]
        ),
        "activations_per_service": _bars(
            [(titles.get(u.service_id, str(u.service_id)), u.active_communes) for u in usage]
        ),
    }


def catalogue_services() -> QuerySet[Service]:
    """Every catalogue service with all its versions (newest first) and its refreshed commune count (two queries)."""
    usage = ServiceUsage.objects.filter(service=OuterRef("pk")).values("active_communes")[:1]
    return (
        Service.objects.annotate(active_communes=Coalesce(Subquery(usage), 0))
        .prefetch_related(Prefetch("versions", queryset=ServiceVersion.objects.order_by("-number")))
        .order_by("slug")
    )
