"""The audit log as CSV, streamed in chunks (console and operator API)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from audit.models import AuditEvent
from tenants.models import Commune


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_COLUMNS = ["at", "commune", "actor", "action", "target", "data"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that spreadsheet programs do not run as a formula (CSV injection)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The CSV lines of ``events``, read from the database in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    slugs = dict(Commune.objects.values_list("pk", "slug"))
    for event in events.iterator(chunk_size=2000):
        commune = slugs.get(event.commune_id, "") if event.commune_id else ""
        row = [event.at.isoformat(), commune, event.actor, event.action, event.target, event.data]
        yield writer.writerow([_cell(value) for value in row])


def audit_csv_response(events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    """A streaming CSV download of ``events`` (shared by console and API)."""
    response = StreamingHttpResponse(audit_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kommunal-audit.csv"'
    return response
