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

from activations.models import Activation, ActivationEvent
from citizen_requests import services as request_services
from citizen_requests.models import CitizenRequest, Status
from tenants.db import connection, on_commit_in_current_schema
from tenants.models import Commune
from transmission import documents, fitconnect
from transmission.index.models import DeliveryIndex
from transmission.models import Delivery, Route, ServiceRoute

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
    except (fitconnect.FitConnectError, OSError) as error:
        delivery.last_error = str(error)[:500]
        if delivery.attempts >= settings.KOMMUNAL_TRANSMISSION_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        logger.warning("transmission.attempt_failed", extra={"delivery": delivery.pk, "error": delivery.last_error})
        _save(delivery, "status", "last_error", "next_attempt_at")
        return delivery
    delivery.last_error, delivery.next_attempt_at = "", None
    _save(delivery, "status", "last_error", "next_attempt_at")
    return delivery


def _send_email(delivery: Delivery, request: CitizenRequest) -> None:
    """A structured mail to the office: data as PDF and JSON, nothing personal in the subject."""
    with translation.override("de"):
        message = EmailMessage(
            subject=_("New request %(number)s: %(service)s")
            % {"number": request.tracking_number, "service": request.service.title_de},
            body=_(
                "A request was submitted online. Its data are attached as PDF (to read) and JSON "
                "(to import).\n\nTracking number: %(number)s\nForm version: %(version)s\n"
            )
            % {"number": request.tracking_number, "version": request.version.number},
            to=[delivery.office_email],
        )
    message.attach(PDF_NAME, documents.as_pdf(request), "application/pdf")
    message.attach(f"{request.tracking_number}.json", documents.as_json(request), "application/json")
    message.send()
    delivery.status = Delivery.Status.DELIVERED


def _hash(payload: bytes) -> dict[str, str]:
    return {"type": "sha512", "content": hashlib.sha512(payload).hexdigest()}


def _send_fitconnect(delivery: Delivery, request: CitizenRequest) -> None:
    client = fitconnect.Client.from_settings()
    key = client.destination_key(delivery.destination_id)
    service_type = {
        "name": request.service.title_de,
        "identifier": request.service.leika_key or f"urn:kommunal:service:{request.service.slug}",
    }
    if not delivery.submission_id:
        attachment_ids = [str(uuid.uuid4())]
        announced = client.expect(
            201,
            "POST",
            "/v1/submissions",
            payload={
                "destinationId": delivery.destination_id,
                "announcedContentStructure": {"data": True, "attachments": attachment_ids},
                "serviceType": service_type,
            },
        )
        delivery.submission_id, delivery.case_id = announced["submissionId"], announced["caseId"]
        delivery.attachment_ids = attachment_ids
        _save(delivery, "submission_id", "case_id", "attachment_ids")
    path = f"/v1/submissions/{delivery.submission_id}"
    current = client.expect(200, "GET", path)
    if current.get("status") not in (None, "incomplete", "created"):
        delivery.status = Delivery.Status.SUBMITTED
        return
    data, pdf = documents.as_json(request), documents.as_pdf(request)
    attachment_id = delivery.attachment_ids[0]
    client.expect(
        204, "PUT", f"{path}/attachments/{attachment_id}", body=fitconnect.encrypt(key, pdf, "application/pdf").encode()
    )
    metadata = {
        "$schema": fitconnect.METADATA_SCHEMA,
        "contentStructure": {
            "data": {
                "submissionSchema": {"schemaUri": documents.schema_uri(request), "mimeType": "application/json"},
                "hash": _hash(data),
            },
            "attachments": [
                {
                    "attachmentId": attachment_id,
                    "hash": _hash(pdf),
                    "purpose": "form",
                    "filename": PDF_NAME,
                    "mimeType": "application/pdf",
                }
            ],
        },
        "publicServiceType": service_type,
        "replyChannel": {"eMail": {"address": request.email}},
    }
    client.expect(
        202,
        "PUT",
        path,
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
