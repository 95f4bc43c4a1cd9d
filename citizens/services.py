"""Changing citizen accounts and their mailbox, in the schema of the current commune.

Each change writes its audit entry in the same transaction (``audit.services.record``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from audit import services as audit
from citizen_requests.models import CitizenRequest, Status, StatusChange
from citizens import notifications
from citizens.models import DEFAULT_RETENTION_DAYS, Citizen, Login, LoginSettings, Message, RequestOwner
from citizens.oidc import ProviderConfig
from citizens.trust import from_acr
from tenants.db import on_commit_in_current_schema
from tenants.models import Commune

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {"application/pdf", "image/png", "image/jpeg", "text/plain"}
FINAL_STATUSES = (Status.COMPLETED, Status.REJECTED)
REMOVED = "[entfernt]"


def _commune() -> Commune | None:
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Commune) else None


def _claim(claims: dict[str, Any], name: str, limit: int = 200) -> str:
    value = claims.get(name)
    return str(value).strip()[:limit] if isinstance(value, str | int) else ""


@transaction.atomic
def record_login(config: ProviderConfig, claims: dict[str, Any]) -> Login:
    """Create or update the account of the verified claims' subject and record the login."""
    address: dict[str, Any] = claims["address"] if isinstance(claims.get("address"), dict) else {}
    details = {
        "given_name": _claim(claims, "given_name"),
        "family_name": _claim(claims, "family_name"),
        "email": _claim(claims, "email", 254),
        "birthdate": _claim(claims, "birthdate", 10),
        "street_address": _claim(address, "street_address"),
        "postal_code": _claim(address, "postal_code", 20),
        "locality": _claim(address, "locality"),
    }
    citizen, _created = Citizen.objects.update_or_create(
        issuer=config.issuer, subject=_claim(claims, "sub", 255), deleted_at=None, defaults=details
    )
    acr = claims.get("acr") or claims.get("eidas") or ""
    login = Login.objects.create(citizen=citizen, trust_level=from_acr(acr), acr=str(acr)[:200])
    audit.record(
        "citizen.login",
        actor=f"citizen:{citizen.pk}",
        commune=_commune(),
        target=str(citizen.pk),
        trust_level=login.trust_level,
        provider=config.source,
    )
    return login


def refuse_login(reason: str, detail: str = "") -> None:
    """Record a refused login (nothing else is stored)."""
    audit.record("citizen.login_refused", actor="citizen", commune=_commune(), target=reason, detail=detail[:500])


def link_request(request: CitizenRequest, login: Login, prefilled: list[str]) -> RequestOwner:
    """Mark ``request`` as submitted by ``login``'s citizen, with the fields taken from the account."""
    return RequestOwner.objects.create(
        request=request, citizen=login.citizen, trust_level=login.trust_level, prefilled=sorted(prefilled)
    )


def _checked_attachment(upload: UploadedFile | None) -> UploadedFile | None:
    if upload is None:
        return None
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _("The attachment may be at most 10 MB.")})
    if upload.content_type not in ATTACHMENT_TYPES:
        raise ValidationError({"attachment": _("Attach a PDF, PNG, JPEG or text file.")})
    return upload


def _attach(message: Message, upload: UploadedFile | None) -> None:
    """Store the attachment as the last step of its transaction: what fails before leaves no file."""
    if upload is not None:
        name = get_valid_filename(upload.name or "anhang")[:150] or "anhang"
        message.attachment_name = name
        message.attachment.save(name, upload, save=False)
        message.save(update_fields=["attachment", "attachment_name"])


@transaction.atomic
def send_message(
    request: CitizenRequest, *, sender: str, subject: str, body: str, attachment: UploadedFile | None = None
) -> Message:
    """Staff write to the citizen who submitted ``request``; the e-mail only says a message waits."""
    owner = RequestOwner.objects.select_related("citizen").filter(request=request).first()
    if owner is None or owner.citizen.deleted_at is not None:
        raise ValidationError({"body": _("This request was not submitted with a citizen account.")})
    if not body.strip() or not subject.strip():
        raise ValidationError({"body": _("Please write a subject and a message.")})
    message = Message(
        request=request,
        citizen=owner.citizen,
        direction=Message.Direction.TO_CITIZEN,
        sender=sender,
        subject=subject.strip()[:200],
        body=body.strip(),
    )
    upload = _checked_attachment(attachment)
    message.save()
    commune = _commune()
    audit.record(
        "citizen.message_sent",
        actor=sender,
        commune=commune,
        target=request.tracking_number,
        message=message.pk,
        attachment=upload is not None,
    )
    citizen = owner.citizen
    on_commit_in_current_schema(lambda: notifications.send_message_waiting(citizen, request, commune))
    _attach(message, upload)
    return message


@transaction.atomic
def reply(citizen: Citizen, request: CitizenRequest, *, body: str, attachment: UploadedFile | None = None) -> Message:
    """The citizen answers in the thread of one of their own requests."""
    if not RequestOwner.objects.filter(request=request, citizen=citizen).exists():
        raise PermissionError("not the citizen's request")
    if not body.strip():
        raise ValidationError({"body": _("Please write a message.")})
    message = Message(
        request=request,
        citizen=citizen,
        direction=Message.Direction.FROM_CITIZEN,
        sender=citizen.name or _("citizen"),
        subject=_("Reply about %(number)s") % {"number": request.tracking_number},
        body=body.strip(),
    )
    upload = _checked_attachment(attachment)
    message.save()
    audit.record(
        "citizen.message_replied",
        actor=f"citizen:{citizen.pk}",
        commune=_commune(),
        target=request.tracking_number,
        message=message.pk,
    )
    _attach(message, upload)
    return message


def mark_read(message: Message) -> None:
    if message.read_at is None and message.direction == Message.Direction.TO_CITIZEN:
        Message.objects.filter(pk=message.pk).update(read_at=timezone.now())


@transaction.atomic
def delete_account(citizen: Citizen) -> None:
    """Close the account now; the personal data in its requests goes after the retention period."""
    Citizen.objects.filter(pk=citizen.pk).update(
        deleted_at=timezone.now(),
        subject="",
        given_name="",
        family_name="",
        email="",
        birthdate="",
        street_address="",
        postal_code="",
        locality="",
    )
    Login.objects.filter(citizen=citizen).delete()
    audit.record("citizen.account_deleted", actor=f"citizen:{citizen.pk}", commune=_commune(), target=str(citizen.pk))


def retention_days() -> int:
    own = LoginSettings.objects.first()
    return own.retention_days if own is not None else DEFAULT_RETENTION_DAYS


def due_for_removal(now: datetime) -> list[RequestOwner]:
    """Requests of deleted accounts that were completed (or rejected) longer ago than the retention."""
    cutoff = now - timedelta(days=retention_days())
    return list(
        RequestOwner.objects.filter(
            citizen__deleted_at__isnull=False,
            anonymised_at__isnull=True,
            request__status__in=FINAL_STATUSES,
        )
        .annotate(completed_at=Max("request__changes__at"))
        .filter(completed_at__lte=cutoff)
        .select_related("request")
    )


def remove_personal_data(now: datetime | None = None) -> int:
    """Remove personal data of deleted accounts from requests past retention; returns how many."""
    now = now or timezone.now()
    done = 0
    for owner in due_for_removal(now):
        _anonymise(owner, now)
        done += 1
    return done


@transaction.atomic
def _anonymise(owner: RequestOwner, now: datetime) -> None:
    request = owner.request
    StatusChange.objects.filter(request=request, actor__iexact=request.email).update(actor=REMOVED)
    for message in Message.objects.filter(request=request):
        if message.attachment:
            message.attachment.delete(save=False)
        message.body, message.attachment, message.attachment_name = REMOVED, "", ""
        if message.direction == Message.Direction.FROM_CITIZEN:
            message.sender = REMOVED
        message.save(update_fields=["body", "attachment", "attachment_name", "sender"])
    CitizenRequest.objects.filter(pk=request.pk).update(email="", data={})
    RequestOwner.objects.filter(pk=owner.pk).update(anonymised_at=now, prefilled=[])
    audit.record("citizen.personal_data_removed", commune=_commune(), target=request.tracking_number)


@transaction.atomic
def configure_login(
    *,
    issuer: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    retention_days: int | None = None,
    actor: str,
) -> LoginSettings:
    """Set what is given (None leaves a value as it is; an empty issuer means the platform's provider)."""
    current = LoginSettings.objects.select_for_update().first() or LoginSettings()
    if issuer is not None:
        issuer = issuer.strip().rstrip("/")
        if issuer and not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("The issuer must be an https:// URL.")
        current.issuer = issuer
        if not issuer:
            current.client_id = current.client_secret = ""
    current.client_id = client_id if client_id is not None else current.client_id
    current.client_secret = client_secret if client_secret is not None else current.client_secret
    if current.issuer and not (current.client_id and current.client_secret):
        raise ValueError("A commune's own provider needs --client-id and --client-secret.")
    if retention_days is not None:
        if not 0 <= retention_days <= 3650:
            raise ValueError("The retention period must be between 0 and 3650 days.")
        current.retention_days = retention_days
    current.save()
    audit.record(
        "citizen.login_settings_changed",
        actor=actor,
        commune=_commune(),
        target=current.issuer or "platform",
        retention_days=current.retention_days,
    )
    return current
