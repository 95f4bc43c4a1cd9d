"""Submitting requests and changing their status, in the schema of the current commune.

Each change is written with its audit entry in one transaction; the citizen's e-mail and the
signals ``request_submitted`` / ``request_status_changed`` follow once it has committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activations.models import Activation, PaymentMode
from audit import services as audit
from branding.storage import StorageUnavailable
from citizen_requests import attachments, notifications, schema_form
from citizen_requests.models import TRANSITIONS, Attachment, CitizenRequest, PaymentStatus, Status, StatusChange
from citizen_requests.selectors import active_activation
from citizen_requests.signals import request_status_changed, request_submitted
from kommunal import input_guard
from tenants.db import connection, on_commit_in_current_schema
from tenants.models import Commune

# Crockford-like alphabet without 0/O, 1/I/L and U: easy to read out and type.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_LENGTH = 6


def _commune() -> Commune | None:
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Commune) else None


def new_tracking_number(commune: Commune | None) -> str:
    """E.g. ``ZEI-2026-7K4Q9M``: commune prefix, year, six random characters (30^6 ≈ 7·10^8)."""
    prefix = "".join(ch for ch in (commune.slug if commune else "KOM").upper() if ch.isalpha())[:3] or "KOM"
    suffix = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return f"{prefix}-{timezone.now().year}-{suffix}"


Files = Mapping[str, Iterable[UploadedFile]]


def _with_uploads(
    activation: Activation, data: Any, files: Files | None
) -> tuple[Any, list[attachments.Upload], dict[str, list[str]]]:
    """``data`` with a descriptor per checked upload, the uploads, and messages for refused files.

    Attachment fields are filled from uploads only: descriptors sent as data are refused.
    """
    schema = activation.version.form_schema
    uploads, errors = attachments.check(schema, files or {})
    if not isinstance(data, dict):
        return data, uploads, errors
    for name in attachments.attachment_fields(schema):
        if name in data:
            errors.setdefault(name, []).append(_("Files can only be uploaded, not sent as data."))
    merged = {name: value for name, value in data.items() if name not in attachments.attachment_fields(schema)}
    for upload in uploads:
        merged.setdefault(upload.field, []).append(upload.descriptor())
    return merged, uploads, errors


def submission_errors(
    activation: Activation, *, email: str, data: Any, files: Files | None = None
) -> dict[str, list[str]]:
    """Messages per field (``email`` or a form field) for a submission; empty when it is valid."""
    return _checked(activation, email=email, data=data, files=files)[2]


def _checked(
    activation: Activation, *, email: str, data: Any, files: Files | None
) -> tuple[Any, list[attachments.Upload], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Please enter a valid e-mail address.")]
    refused = input_guard.json_problem(data, input_guard.MAX_NUMBER)
    if refused is not None:
        field, message = refused
        errors[field.split(".")[0].split("[")[0] or "data"] = [message]
        return data, [], errors
    data, uploads, upload_errors = _with_uploads(activation, data, files)
    for name, messages in schema_form.validate_data(activation.version, data).items():
        if name not in upload_errors:
            errors[name] = messages
    return data, uploads, {**errors, **upload_errors}


def _scan(uploads: list[attachments.Upload]) -> None:
    try:
        errors = attachments.scan(uploads)
    except attachments.ScanFailed as exc:
        message = _("The virus scan is not available right now; nothing was stored. Please try again later.")
        raise ValidationError({upload.field: [message] for upload in uploads}) from exc
    if errors:
        raise ValidationError(errors)


def submit_request(
    *, service_slug: str, email: str, data: Any, files: Files | None = None, language: str = "de"
) -> CitizenRequest:
    """Validate ``data`` and ``files`` against the active service's form and store the request.

    Raises ``ValidationError`` with messages per field (``email`` or the form's field names);
    nothing is stored then, neither the request nor any file. A service the commune does not
    offer raises ``LookupError``.
    """
    activation = active_activation(service_slug)
    if activation is None or not activation.online_submission:
        raise LookupError(service_slug)
    data, uploads, errors = _checked(activation, email=email, data=data, files=files)
    if errors:
        raise ValidationError(errors)
    _scan(uploads)
    commune = _commune()
    written: list[str] = []
    try:
        with transaction.atomic():
            request = _store(activation, commune, email=email, data=data, uploads=uploads, language=language)
            written = attachments.store(uploads, connection.schema_name)
    except StorageUnavailable as exc:
        message = _("The upload failed; nothing was stored. Please try again.")
        raise ValidationError({upload.field: [message] for upload in uploads}) from exc
    except BaseException:
        attachments.remove(written, connection.schema_name)
        raise
    return request


def _store(
    activation: Activation,
    commune: Commune | None,
    *,
    email: str,
    data: Any,
    uploads: list[attachments.Upload],
    language: str,
) -> CitizenRequest:
    paying = activation.payment_mode == PaymentMode.BEFORE_SUBMISSION and bool(activation.fee)
    request = _create_with_unique_number(
        commune,
        service=activation.service,
        version=activation.version,
        email=email.strip(),
        data=data,
        language=language[:2] if language[:2] in ("de", "en") else "de",
        payment_status=PaymentStatus.UNPAID if paying else PaymentStatus.NONE,
        fee=activation.fee if paying else None,
    )
    Attachment.objects.bulk_create(
        Attachment(
            id=upload.id,
            request=request,
            field=upload.field,
            name=upload.name,
            media_type=upload.media_type,
            size=upload.size,
            sha256=upload.sha256,
            storage_key=attachments.open_store(connection.schema_name).key(upload.storage_name),
            virus_scanned=upload.scanned,
        )
        for upload in uploads
    )
    StatusChange.objects.create(request=request, to_status=Status.RECEIVED, actor=request.email)
    audit.record(
        "request.submitted",
        actor="citizen",
        commune=commune,
        target=request.tracking_number,
        service=activation.service.slug,
        version=activation.version.number,
    )
    on_commit_in_current_schema(lambda: notifications.send_confirmation(request, commune))
    on_commit_in_current_schema(lambda: request_submitted.send(sender=CitizenRequest, request=request, commune=commune))
    return request


def _create_with_unique_number(commune: Commune | None, **fields: Any) -> CitizenRequest:
    """Create the request, drawing the tracking number again on the rare collision."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return CitizenRequest.objects.create(tracking_number=new_tracking_number(commune), **fields)
        except IntegrityError:
            continue
    raise RuntimeError("Could not draw a unique tracking number.")


@transaction.atomic
def change_status(request: CitizenRequest, *, to_status: str, comment: str = "", actor: str) -> StatusChange:
    """Move a request to ``to_status`` if the lifecycle allows it; record who, when and why."""
    request = CitizenRequest.objects.select_for_update().select_related("service").get(pk=request.pk)
    if to_status not in Status.values:
        raise ValidationError({"status": _("Unknown status '%(status)s'.") % {"status": to_status}})
    if to_status not in TRANSITIONS[request.status]:
        raise ValidationError(
            {
                "status": _("A request that is %(current)s cannot become %(new)s.")
                % {"current": Status(request.status).label, "new": Status(to_status).label}
            }
        )
    change = StatusChange.objects.create(
        request=request, from_status=request.status, to_status=to_status, actor=actor, comment=comment.strip()
    )
    request.status = to_status
    if to_status == Status.COMPLETED and request.payment_status == PaymentStatus.NONE:
        activation = Activation.objects.filter(service=request.service).first()
        if activation is not None and activation.payment_mode == PaymentMode.AFTER_DECISION and activation.fee:
            request.payment_status, request.fee = PaymentStatus.UNPAID, activation.fee  # the e-mail has the link
    request.save(update_fields=["status", "payment_status", "fee", "updated_at"])
    commune = _commune()
    audit.record(
        "request.status_changed",
        actor=actor,
        commune=commune,
        target=request.tracking_number,
        from_status=change.from_status,
        to_status=to_status,
    )
    on_commit_in_current_schema(lambda: notifications.send_status_changed(request, commune, change.comment))
    on_commit_in_current_schema(
        lambda: request_status_changed.send(sender=CitizenRequest, request=request, change=change, commune=commune)
    )
    return change
