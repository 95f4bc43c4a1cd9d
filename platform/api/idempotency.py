"""``Idempotency-Key`` on ``POST``: a retried request gets the first response instead of a duplicate.

The caller is authenticated first, exactly as the API authenticates it (API key, operator token,
signed-in user with a valid CSRF token, else the client address), and the record is keyed on
that principal (``key:<id>``, ``operator-token:<id>``, ``user:<pk>``, ``address:<ip>``), never on
the bytes of a header. Credentials the API refuses (a revoked or expired key, a deactivated
account) get no replay: the request goes to the view, which answers 401.

The first request with a key stores its response (in the schema that served it) for 24 hours.
The same key with the same request replays that response (with ``Idempotent-Replayed: true``);
the same key with a different request is a 422, and a retry while the first request is still
running is a 409. Responses that say the request was not processed (401, 429, 5xx) are not
stored, so the client may retry them with the same key.

Secrets are shown once: a view marks the fields of its response that hold a secret with
``shown_once``; the record keeps the body with those fields redacted, and a replay answers 409
(``secret-shown-once``) with the redacted resource instead of the secret.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.response import Response

from integrations.authentication import key_from_header
from kommunal.api.callers import client_address
from kommunal.api.models import IdempotencyRecord
from kommunal.api.problems import problem_response
from operators.api.authentication import token_from_header
from tenants import due_work
from tenants.models import DueWork

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
NOT_STORED_STATUSES = {401, 429}
STORED_HEADERS = ("Content-Type", "Location", "ETag")
# Visible ASCII, as the OpenAPI document states (a UUID is the usual choice).
VALID_KEY = re.compile(r"^[!-~]{1,255}$")
REDACTED = "[shown once; not stored]"
SHOWN_ONCE_ATTRIBUTE = "kommunal_shown_once_fields"


def shown_once(response: Response, *fields: str) -> Response:
    """Mark ``fields`` of ``response`` as secrets: stored redacted, never replayed."""
    setattr(response, SHOWN_ONCE_ATTRIBUTE, fields)
    return response


def principal(request: HttpRequest) -> str | None:
    """Who is calling, as the API authenticates it; ``None`` when the credentials are refused."""
    try:
        if getattr(request, "commune", None) is not None:
            key = key_from_header(request)
            if key is not None:
                return f"key:{key.pk}"
        else:
            token = token_from_header(request)
            if token is not None:
                return f"operator-token:{token.pk}"
    except AuthenticationFailed:
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        try:
            SessionAuthentication().enforce_csrf(request)  # type: ignore[arg-type]
        except PermissionDenied:
            return None
        return f"user:{user.pk}"
    return f"address:{client_address(request.META)}"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
    if record.secret_withheld:
        response: HttpResponse = problem_response(
            request,
            409,
            "Secret shown once",
            "The first request with this Idempotency-Key succeeded, and its response held a secret, "
            "which is shown only once and not stored. 'resource' is that response without the "
            "secret; if the secret was lost, revoke the resource and create a new one.",
            "secret-shown-once",
            resource=json.loads(bytes(record.body)),
        )
        if "Location" in record.headers:
            response["Location"] = record.headers["Location"]
    else:
        response = HttpResponse(bytes(record.body), status=record.status or 200)
        for name, value in record.headers.items():
            response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _stored_body(response: HttpResponse) -> tuple[bytes, bool]:
    """The body to store and whether secrets were redacted from it."""
    fields: tuple[str, ...] = getattr(response, SHOWN_ONCE_ATTRIBUTE, ())
    if not fields:
        return response.content, False
    data: dict[str, Any] = dict(getattr(response, "data", None) or {})
    redacted = {name: (REDACTED if name in fields else value) for name, value in data.items()}
    return json.dumps(redacted, default=str).encode(), True


def handle_idempotent(
    request: HttpRequest, key: str, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Serve ``request`` once per (principal, key); replay or refuse repetitions."""
    if not VALID_KEY.match(key):
        return problem_response(
            request,
            400,
            "Invalid Idempotency-Key",
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
            "invalid-idempotency-key",
        )
    caller = principal(request)
    if caller is None:
        return get_response(request)  # refused credentials: the view answers 401 or 403, nothing is replayed
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
        return _replay(request, existing)

    response = get_response(request)
    if response.streaming or response.status_code >= 500 or response.status_code in NOT_STORED_STATUSES:
        record.delete()
        return response
    record.status = response.status_code
    record.headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    record.body, record.secret_withheld = _stored_body(response)
    record.save(update_fields=["status", "headers", "body", "secret_withheld"])
    return response


def purge_expired() -> int:
    """Delete the records older than the retention period in the current schema; return how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return deleted
