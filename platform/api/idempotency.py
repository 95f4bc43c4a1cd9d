"""``Idempotency-Key`` on ``POST``: a retried request gets the first response instead of a duplicate.

The first request with a key stores its response (per caller, in the schema that served it) for
24 hours. The same key with the same request replays that response (with
``Idempotent-Replayed: true``); the same key with a different request is a 422, and a retry
while the first request is still running is a 409. Responses that say the request was not
processed (401, 429, 5xx) are not stored, so the client may retry them with the same key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kommunal.api.callers import credentials_fingerprint
from kommunal.api.models import IdempotencyRecord
from kommunal.api.problems import problem_response
from tenants import due_work
from tenants.models import DueWork

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
NOT_STORED_STATUSES = {401, 429}
STORED_HEADERS = ("Content-Type", "Location", "ETag")
# Visible ASCII, as the OpenAPI document states (a UUID is the usual choice).
VALID_KEY = re.compile(r"^[!-~]{1,255}$")


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status or 200)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def handle_idempotent(
    request: HttpRequest, key: str, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Serve ``request`` once per (caller, key); replay or refuse repetitions."""
    if not VALID_KEY.match(key):
        return problem_response(
            request,
            400,
            "Invalid Idempotency-Key",
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
            "invalid-idempotency-key",
        )
    caller = credentials_fingerprint(request)
    fingerprint = _fingerprint(request)
    records = IdempotencyRecord.objects.filter(caller=caller, key=key)
    records.filter(created_at__lt=timezone.now() - RETENTION).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(caller=caller, key=key, fingerprint=fingerprint)
            due_work.note(DueWork.Kind.IDEMPOTENCY_PURGE, record.created_at + RETENTION)
    except IntegrityError:
        existing = records.first()
        if existing is None:  # the other request failed and released the key meanwhile
            return handle_idempotent(request, key, get_response)
        if existing.fingerprint != fingerprint:
            return problem_response(
                request,
                422,
                "Idempotency-Key reused",
                "This Idempotency-Key was already used for a different request.",
                "idempotency-key-reused",
            )
        if existing.status is None:
            return problem_response(
                request,
                409,
                "Request in progress",
                "A request with this Idempotency-Key is still being processed; retry later.",
                "idempotency-key-in-progress",
            )
        return _replay(existing)

    response = get_response(request)
    if response.streaming or response.status_code >= 500 or response.status_code in NOT_STORED_STATUSES:
        record.delete()
        return response
    record.status = response.status_code
    record.headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    record.body = response.content
    record.save(update_fields=["status", "headers", "body"])
    return response


def purge_expired() -> int:
    """Delete the records older than the retention period in the current schema; return how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return deleted
