"""Delivering submitted requests to the commune's back office: inbox, FIT-Connect or e-mail.

A delivery is attempted outside any long transaction: each attempt is claimed first (its next
attempt moves into the future, so a parallel worker skips it), and every FIT-Connect step that the
other side remembers (the announced submission) is saved at once, so an attempt that dies half-way
resumes where it stopped and never announces or submits twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jwcrypto import jwk

from activations.models import Activation, ActivationEvent
from branding.storage import StorageUnavailable
from citizen_requests import attachments
from citizen_requests import services as request_services
from citizen_requests.models import Attachment, CitizenRequest, Status
from tenants.db import connection, on_commit_in_current_schema
from tenants.models import Commune
from transmission import documents, fitconnect
from transmission.index.models import DeliveryIndex
from transmission.models import Delivery, DeliveryPart, Route, ServiceRoute

logger = logging.getLogger(__name__)
ACTOR = "FIT-Connect"
PDF_NAME = "antrag.pdf"


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1 min, 2 min, 4 min ... at most 6 hours."""
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), 6 * 3600))


def route_of(activation: Activation) -> ServiceRoute:
    return ServiceRoute.objects.filter(activation=activation).first() or ServiceRoute(activation=activation)


def set_route(
    activation: Activation, *, route: str, destination_id: str, office_email: str, actor: str
) -> ServiceRoute:
    """Choose how requests for ``activation`` reach the office; recorded in its history."""
    errors: dict[str, Any] = {}
    if route == Route.FITCONNECT and not destination_id.strip():
        errors["destination_id"] = gettext_lazy("Enter the destination id (Zustellpunkt) of your office.")
    if route == Route.FITCONNECT and not settings.FITCONNECT_CLIENT_ID:
        errors["route"] = gettext_lazy("FIT-Connect is not configured on this platform yet.")
    if route == Route.EMAIL and not office_email.strip():
        errors["office_email"] = gettext_lazy("Enter the office's e-mail address.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting, _created = ServiceRoute.objects.update_or_create(
            activation=activation,
            defaults={"route": route, "destination_id": destination_id.strip(), "office_email": office_email.strip()},
        )
        ActivationEvent.objects.create(
            activation=activation,
            action=ActivationEvent.Action.SETTINGS_CHANGED,
            actor=actor,
            data={"route": route, "destination_id": setting.destination_id, "office_email": setting.office_email},
        )
    return setting


def start_delivery(request: CitizenRequest) -> Delivery | None:
    """Queue the delivery of a just-submitted request along its service's route (None: inbox)."""
    setting = ServiceRoute.objects.filter(activation__service_id=request.service_id).first()
    if setting is None or setting.route == Route.INBOX:
        return None
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            request=request,
            defaults={
                "route": setting.route,
                "destination_id": setting.destination_id,
                "office_email": setting.office_email,
                "next_attempt_at": timezone.now(),
            },
        )
        _index(delivery)
        if created:
            on_commit_in_current_schema(lambda: schedule(delivery))
    return delivery


def schedule(delivery: Delivery) -> None:
    from transmission.tasks import deliver_request

    deliver_request.delay(delivery.pk)


def _index(delivery: Delivery) -> None:
    """Mirror ``delivery`` into the public index the operator console reads."""
    tenant = connection.tenant
    commune = tenant if isinstance(tenant, Commune) else Commune.objects.get(schema_name=connection.schema_name)
    DeliveryIndex.objects.update_or_create(
        commune=commune,
        delivery_id=delivery.pk,
        defaults={
            "tracking_number": delivery.request.tracking_number,
            "route": delivery.route,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "last_error": delivery.last_error,
            "updated_at": timezone.now(),
        },
    )


def _save(delivery: Delivery, *fields: str) -> None:
    with transaction.atomic():
        delivery.save(update_fields=[*fields, "updated_at"])
        _index(delivery)


def attempt_delivery(delivery_id: int) -> Delivery:
    """Try to deliver once; on failure keep the reason and schedule the next attempt (or give up)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return Delivery.objects.get(pk=delivery_id)
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        _save(delivery, "attempts", "next_attempt_at")
    request = CitizenRequest.objects.select_related("service", "version").get(pk=delivery.request_id)
    try:
        if delivery.route == Route.FITCONNECT:
            _send_fitconnect(delivery, request)
        else:
            _send_email(delivery, request)
    except documents.Undeliverable as error:
        return _give_up(delivery, str(error))
    except (fitconnect.FitConnectError, StorageUnavailable, OSError) as error:
        delivery.last_error = str(error)[:500]
        if delivery.attempts >= settings.KOMMUNAL_TRANSMISSION_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        logger.warning("transmission.attempt_failed", extra={"delivery": delivery.pk, "error": delivery.last_error})
        _save(delivery, "status", "last_error", "next_attempt_at")
        return delivery
    delivery.last_error, delivery.next_attempt_at = "", None
    _save(delivery, "status", "last_error", "next_attempt_at")
    return delivery


def _give_up(delivery: Delivery, reason: str) -> Delivery:
    """No further attempts: the request stays in the inbox, staff and operators see why."""
    delivery.status, delivery.next_attempt_at, delivery.last_error = Delivery.Status.FAILED, None, reason[:500]
    logger.warning("transmission.undeliverable", extra={"delivery": delivery.pk, "error": delivery.last_error})
    _save(delivery, "status", "last_error", "next_attempt_at")
    return delivery


def _send_email(delivery: Delivery, request: CitizenRequest) -> None:
    """A structured mail to the office: data as PDF and JSON plus the citizen's files, nothing
    personal in the subject; a mail above KOMMUNAL_TRANSMISSION_MAIL_MAX_BYTES is not sent."""
    files = documents.uploads(request)
    pdf, data = documents.as_pdf(request), documents.as_json(request)
    encoded = (len(pdf) + len(data) + sum(upload.size for upload in files)) * 4 // 3  # base64 in the mail
    limit = settings.KOMMUNAL_TRANSMISSION_MAIL_MAX_BYTES
    if encoded > limit:
        raise documents.Undeliverable(
            f"The mail with the request's files would be {attachments.size_label(encoded)}, more than the "
            f"{attachments.size_label(limit)} the office's mail may have; deliver it through FIT-Connect or handle it in the inbox."
        )
    with translation.override("de"):
        message = EmailMessage(
            subject=_("New request %(number)s: %(service)s")
            % {"number": request.tracking_number, "service": request.service.title_de},
            body=_(
                "A request was submitted online. Its data are attached as PDF (to read) and JSON "
                "(to import), followed by the files the citizen uploaded.\n\nTracking number: "
                "%(number)s\nForm version: %(version)s\n"
            )
            % {"number": request.tracking_number, "version": request.version.number},
            to=[delivery.office_email],
        )
    message.attach(PDF_NAME, pdf, "application/pdf")
    message.attach(f"{request.tracking_number}.json", data, "application/json")
    names = {PDF_NAME, f"{request.tracking_number}.json"}
    for number, upload in enumerate(files, start=1):
        name = upload.name if upload.name not in names else f"{number}-{upload.name}"
        names.add(name)
        message.attach(name, documents.read_upload(upload, connection.schema_name), upload.media_type)
    message.send()
    delivery.status = Delivery.Status.DELIVERED


def _hash(payload: bytes) -> dict[str, str]:
    return {"type": "sha512", "content": hashlib.sha512(payload).hexdigest()}


def _service_type(request: CitizenRequest) -> dict[str, str]:
    return {
        "name": request.service.title_de,
        "identifier": request.service.leika_key or f"urn:kommunal:service:{request.service.slug}",
    }


def _announce(client: fitconnect.Client, delivery: Delivery, request: CitizenRequest, key_id: str) -> None:
    """Announce the submission with one attachment id per part; save ids, key id and parts at once."""
    files = documents.uploads(request)
    _check_limits(files)
    parts = [
        DeliveryPart(
            position=0,
            fitconnect_id=uuid.uuid4(),
            purpose=DeliveryPart.Purpose.FORM,
            filename=PDF_NAME,
            media_type="application/pdf",
        )
    ] + [
        DeliveryPart(
            position=position,
            fitconnect_id=uuid.uuid4(),
            upload=upload,
            purpose=DeliveryPart.Purpose.ATTACHMENT,
            filename=upload.name,
            media_type=upload.media_type,
            description=documents.field_title(request, upload),
        )
        for position, upload in enumerate(files, start=1)
    ]
    announced = client.expect(
        201,
        "POST",
        "/v1/submissions",
        payload={
            "destinationId": delivery.destination_id,
            "announcedAttachments": [str(part.fitconnect_id) for part in parts],
            "serviceType": _service_type(request),
        },
    )
    with transaction.atomic():
        delivery.submission_id, delivery.case_id = announced["submissionId"], announced["caseId"]
        delivery.key_id = key_id
        _save(delivery, "submission_id", "case_id", "key_id")
        for part in parts:
            part.delivery = delivery
        DeliveryPart.objects.bulk_create(parts)


def _abandon(delivery: Delivery) -> None:
    """Leave an unfinished submission whose parts are encrypted to a key the destination replaced.

    The office could not decrypt them; a new submission is announced instead (the Submission API
    deletes incomplete submissions after a day).
    """
    logger.warning(
        "transmission.key_changed",
        extra={"delivery": delivery.pk, "submission": delivery.submission_id, "kid": delivery.key_id},
    )
    with transaction.atomic():
        delivery.parts.all().delete()
        delivery.submission_id, delivery.case_id, delivery.key_id = "", "", ""
        _save(delivery, "submission_id", "case_id", "key_id")


def _check_limits(files: list[Attachment]) -> None:
    """Refuse before announcing what FIT-Connect would refuse: too many or too large files."""
    if len(files) + 1 > fitconnect.MAX_ATTACHMENTS:
        raise documents.Undeliverable(
            f"The request has {len(files)} files; a FIT-Connect submission takes at most "
            f"{fitconnect.MAX_ATTACHMENTS - 1} besides the form."
        )
    sizes = [fitconnect.encrypted_size(upload.size) for upload in files]
    too_large = [
        upload.name
        for upload, size in zip(files, sizes, strict=True)
        if size > fitconnect.MAX_ENCRYPTED_ATTACHMENT_BYTES
    ]
    if too_large:
        raise documents.Undeliverable(f"{', '.join(too_large)} is too large for FIT-Connect (500 MB encrypted).")
    if sum(sizes) > fitconnect.MAX_ENCRYPTED_SUBMISSION_BYTES:
        raise documents.Undeliverable("The request's files are too large for one FIT-Connect submission (2 GB).")


def _upload(
    client: fitconnect.Client, key: jwk.JWK, delivery: Delivery, part: DeliveryPart, request: CitizenRequest
) -> None:
    """Encrypt and upload one part (one file in memory at a time), then record its hash."""
    if part.purpose == DeliveryPart.Purpose.FORM:
        content = documents.as_pdf(request)
    elif part.upload is None:
        raise documents.Undeliverable(
            f"The uploaded file {part.filename} was deleted; the submission cannot be completed."
        )
    else:
        content = documents.read_upload(part.upload, connection.schema_name)
    token = fitconnect.encrypt(key, content, part.media_type).encode()
    path = f"/v1/submissions/{fitconnect.quote(delivery.submission_id)}/attachments/{part.fitconnect_id}"
    client.expect(204, "PUT", path, body=token)
    part.sha512 = hashlib.sha512(content).hexdigest()
    part.save(update_fields=["sha512"])


def _part_metadata(part: DeliveryPart) -> dict[str, Any]:
    entry = {
        "attachmentId": str(part.fitconnect_id),
        "hash": {"type": "sha512", "content": part.sha512},
        "purpose": part.purpose,
        "filename": part.filename,
        "mimeType": part.media_type,
    }
    return {**entry, "description": part.description} if part.description else entry


def _send_fitconnect(delivery: Delivery, request: CitizenRequest) -> None:
    """Announce, upload each part not yet uploaded, submit; a resumed attempt skips what is done."""
    client = fitconnect.Client.from_settings()
    key = client.destination_key(delivery.destination_id)
    if delivery.submission_id and client.was_submitted(
        delivery.case_id, delivery.submission_id, delivery.destination_id
    ):
        delivery.status = Delivery.Status.SUBMITTED
        return
    if delivery.submission_id and delivery.key_id != key.get("kid"):
        _abandon(delivery)
    if not delivery.submission_id:
        _announce(client, delivery, request, str(key.get("kid")))
    parts = list(delivery.parts.select_related("upload"))
    for part in parts:
        if not part.sha512:
            _upload(client, key, delivery, part, request)
    data = documents.as_json(request)
    metadata = {
        "$schema": fitconnect.METADATA_SCHEMA,
        "contentStructure": {
            "data": {
                "submissionSchema": {"schemaUri": documents.schema_uri(request), "mimeType": "application/json"},
                "hash": _hash(data),
            },
            "attachments": [_part_metadata(part) for part in parts],
        },
        "publicServiceType": _service_type(request),
        "replyChannel": {"eMail": {"address": request.email}},
    }
    client.expect(
        202,
        "PUT",
        f"/v1/submissions/{fitconnect.quote(delivery.submission_id)}",
        payload={
            "encryptedMetadata": fitconnect.encrypt(key, json.dumps(metadata).encode(), "application/json"),
            "encryptedData": fitconnect.encrypt(key, data, "application/json"),
        },
    )
    delivery.status = Delivery.Status.SUBMITTED


def poll_events(delivery_id: int) -> Delivery:
    """Read the case's signed event log; reflect the office's accept or reject in the request."""
    delivery = Delivery.objects.select_related("request").get(pk=delivery_id)
    if delivery.status != Delivery.Status.SUBMITTED:
        return delivery
    try:
        events = fitconnect.Client.from_settings().verify_events(
            delivery.case_id, delivery.submission_id, delivery.destination_id
        )
    except fitconnect.FitConnectError as error:
        delivery.last_error = str(error)[:500]
        _save(delivery, "last_error")
        return delivery
    for claims in events:
        kinds = claims.get("events", {})
        if fitconnect.ACCEPT_EVENT in kinds:
            _conclude(delivery, Delivery.Status.ACCEPTED, "")
            break
        if fitconnect.REJECT_EVENT in kinds:
            problems = kinds[fitconnect.REJECT_EVENT].get("problems", [])
            reason = "; ".join(str(p.get("detail") or p.get("title") or "") for p in problems if isinstance(p, dict))
            _conclude(delivery, Delivery.Status.REJECTED, reason or _("No reason given."))
            break
    return delivery


def _conclude(delivery: Delivery, status: str, reason: str) -> None:
    with translation.override("de"), transaction.atomic():
        delivery.status, delivery.reason, delivery.last_error = status, reason[:2000], ""
        _save(delivery, "status", "reason", "last_error")
        request = delivery.request
        to_status, comment = (
            (Status.IN_PROGRESS, _("Accepted by the office's specialist procedure."))
            if status == Delivery.Status.ACCEPTED
            else (Status.REJECTED, _("Rejected by the office's specialist procedure: %(reason)s") % {"reason": reason})
        )
        if to_status in request.allowed_transitions():
            request_services.change_status(request, to_status=to_status, comment=comment, actor=ACTOR)


def retry(delivery_id: int) -> Delivery:
    """Give a failed or stuck delivery a fresh round of attempts (operator action)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.PENDING):
            return delivery
        delivery.status, delivery.attempts, delivery.next_attempt_at = Delivery.Status.PENDING, 0, timezone.now()
        _save(delivery, "status", "attempts", "next_attempt_at")
        on_commit_in_current_schema(lambda: schedule(delivery))
    return delivery
