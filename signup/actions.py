"""Every change of an application's state, each with its audit entry in the same transaction.

submit -> (verify e-mail) -> approve or reject -> provisioning (signup.provisioning) -> active.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from audit import services as audit
from catalog.selectors import published_services
from kommunal.hosts import url_for_host
from signup import legal
from signup.leitweg import validate_leitweg_id
from signup.models import Application, TrustedDomain
from signup.selectors import application_for_token, hash_token
from tenants import actions as tenant_actions
from tenants.models import Commune, Municipality

logger = logging.getLogger(__name__)

VERIFICATION_VALID_FOR = timedelta(hours=24)
AUTO_APPROVER = "system:auto-approve"

# Fields that may still change until the e-mail address is verified (PATCH in the API).
EDITABLE_FIELDS = (
    "applicant_name",
    "applicant_role",
    "applicant_phone",
    "services",
    "invoice_recipient",
    "invoice_street",
    "invoice_postcode",
    "invoice_city",
    "invoice_email",
    "leitweg_id",
)


class CommuneTaken(ValidationError):
    """The commune already uses Kommunal or has an open application."""


def submit_application(
    *,
    ags: str,
    applicant_name: str,
    applicant_role: str,
    applicant_email: str,
    accept_terms: bool,
    accept_dpa: bool,
    **details: Any,
) -> Application:
    """Store a new application and mail the verification link to the applicant.

    Exactly one open application per commune can exist (a partial unique index decides between
    simultaneous ones); ``CommuneTaken`` names the commune otherwise. Unverified applications
    whose link expired no longer hold their commune.
    """
    errors = {}
    if not accept_terms:
        errors["accept_terms"] = _("Please accept the terms of use.")
    if not accept_dpa:
        errors["accept_dpa"] = _("Please accept the data processing agreement.")
    if errors:
        raise ValidationError(errors)
    municipality = Municipality.objects.filter(ags=ags, retired_at__isnull=True).first()
    if municipality is None:
        raise ValidationError(
            {"ags": _("No municipality with the AGS %(ags)s is in the official directory.") % {"ags": ags}}
        )
    _validate_details(details)
    taken = CommuneTaken(
        {"ags": _("%(name)s already uses Kommunal or has applied.") % {"name": municipality.short_name}}
    )
    if Commune.objects.filter(ags=ags).exists():
        raise taken
    now = timezone.now()
    try:
        with transaction.atomic():
            _expire_unverified(ags, now)
            application = Application.objects.create(
                ags=ags,
                commune_name=municipality.short_name,
                applicant_name=applicant_name,
                applicant_role=applicant_role,
                applicant_email=applicant_email.strip().lower(),
                terms_version=legal.TERMS_VERSION,
                terms_accepted_at=now,
                dpa_version=legal.DPA_VERSION,
                dpa_accepted_at=now,
                language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
                **details,
            )
            audit.record(
                "signup.submitted",
                actor=f"applicant:{application.applicant_email}",
                target=str(application.pk),
                ags=ags,
                terms_version=legal.TERMS_VERSION,
                dpa_version=legal.DPA_VERSION,
            )
            send_verification(application)
    except IntegrityError as exc:
        raise taken from exc
    return application


def _expire_unverified(ags: str, now: Any) -> None:
    stale = Application.objects.filter(
        ags=ags,
        status=Application.Status.PENDING_REVIEW,
        email_verified_at__isnull=True,
        verification_sent_at__lt=now - VERIFICATION_VALID_FOR,
    )
    for application in stale.select_for_update():
        application.status = Application.Status.EXPIRED
        application.verification_token_hash = ""
        application.save(update_fields=["status", "verification_token_hash", "updated_at"])
        audit.record("signup.expired", target=str(application.pk), ags=ags)


def _validate_details(details: dict[str, Any]) -> None:
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    if details.get("leitweg_id"):
        try:
            validate_leitweg_id(details["leitweg_id"])
        except ValidationError as exc:
            raise ValidationError({"leitweg_id": exc.messages}) from exc
    services = details.get("services") or []
    if services:
        published = set(published_services().filter(slug__in=services).values_list("slug", flat=True))
        missing = [slug for slug in services if slug not in published]
        if missing:
            raise ValidationError(
                {"services": _("Not in the published catalogue: %(slugs)s.") % {"slugs": ", ".join(missing)}}
            )


@transaction.atomic
def update_application(application: Application, **details: Any) -> Application:
    """Change services, contact or billing details while the address is not yet verified."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.is_verified or application.status != Application.Status.PENDING_REVIEW:
        raise ValidationError(_("The application can no longer be changed once the e-mail address is verified."))
    _validate_details(details)
    for name, value in details.items():
        setattr(application, name, value)
    application.save()
    audit.record(
        "signup.updated",
        actor=f"applicant:{application.applicant_email}",
        target=str(application.pk),
        fields=sorted(details),
    )
    return application


def send_verification(application: Application) -> None:
    """Mail a new single-use verification link (valid 24 hours); earlier links stop working."""
    token = secrets.token_urlsafe(32)
    application.verification_token_hash = hash_token(token)
    application.verification_sent_at = timezone.now()
    application.save(update_fields=["verification_token_hash", "verification_sent_at", "updated_at"])
    link = url_for_host(settings.KOMMUNAL_DOMAIN) + reverse(
        "signup:verify", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )
    hours = int(VERIFICATION_VALID_FOR.total_seconds() // 3600)
    transaction.on_commit(lambda: mail_applicant(application, "verify", link=link, valid_hours=hours))


def verify_email(token: str) -> Application | None:
    """Confirm the address behind ``token`` (once, within 24 hours); ``None`` for a bad or used link.

    A verified address on a domain the operator trusts for that commune approves at once.
    """
    with transaction.atomic():
        application = application_for_token(token)
        if application is None:
            return None
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.verification_token_hash != hash_token(token):
            return None  # used meanwhile
        application.verification_token_hash = ""
        sent_at = application.verification_sent_at
        if sent_at is None or timezone.now() - sent_at > VERIFICATION_VALID_FOR:
            application.save(update_fields=["verification_token_hash", "updated_at"])
            return None
        application.email_verified_at = timezone.now()
        application.save(update_fields=["verification_token_hash", "email_verified_at", "updated_at"])
        audit.record("signup.verified", actor=f"applicant:{application.applicant_email}", target=str(application.pk))
    if is_auto_approvable(application):
        try:
            application = approve_application(application, actor=AUTO_APPROVER)
        except ValidationError:
            logger.warning("auto-approval of %s refused; it waits for an operator", application.pk, exc_info=True)
    return application


def is_auto_approvable(application: Application) -> bool:
    """Whether the rule applies: verified address on a domain the operator trusts for this commune."""
    return (
        getattr(settings, "SIGNUP_AUTO_APPROVE", True)
        and application.is_verified
        and TrustedDomain.objects.filter(ags=application.ags, domain=application.email_domain).exists()
    )


def approve_application(application: Application, *, actor: str) -> Application:
    """Approve a verified application: register the commune and queue its provisioning.

    Also retries a failed provisioning. Raises ``ValidationError`` when the application is not
    verified, already decided, or the commune was registered otherwise meanwhile.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in (Application.Status.PENDING_REVIEW, Application.Status.FAILED):
            raise ValidationError(_("This application has already been decided."))
        if not application.is_verified:
            raise ValidationError(_("The applicant has not verified the e-mail address yet."))
        if application.commune is None:
            application.commune = tenant_actions.register_commune(
                ags=application.ags, actor=actor, status=Commune.Status.PROVISIONING
            )
        application.status = Application.Status.PROVISIONING
        application.provisioning_error = ""
        application.reviewed_by, application.reviewed_at = actor, timezone.now()
        application.save()
        audit.record("signup.approved", actor=actor, commune=application.commune, target=str(application.pk))
        transaction.on_commit(lambda: _queue_provisioning(application))
    return application


def _queue_provisioning(application: Application) -> None:
    from signup.tasks import provision_application

    try:
        provision_application.delay(str(application.pk))
    except KombuOperationalError:
        # The approval is committed and the commune waits in provisioning, which
        # ``kommunal reconcile_tenants`` resumes; the operator's decision is not lost.
        logger.exception("provisioning of application %s not queued (broker unreachable)", application.pk)


def reject_application(application: Application, *, actor: str, reason: str) -> Application:
    """Reject an application with a reason the applicant receives by e-mail; frees the commune."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the application is rejected.")})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in (Application.Status.PENDING_REVIEW, Application.Status.FAILED):
            raise ValidationError(_("This application has already been decided."))
        application.status = Application.Status.REJECTED
        application.rejection_reason = reason.strip()
        application.verification_token_hash = ""
        application.reviewed_by, application.reviewed_at = actor, timezone.now()
        application.save()
        audit.record("signup.rejected", actor=actor, target=str(application.pk), ags=application.ags, reason=reason)
        transaction.on_commit(lambda: mail_applicant(application, "rejected", reason=application.rejection_reason))
    return application


def mail_applicant(application: Application, kind: str, **context: Any) -> None:
    """Send one of the applicant's e-mails (``signup/email/<kind>.txt``) in the applicant's language."""
    with translation.override(application.language):
        context = {"application": application, "status_url": status_url(application), **context}
        body = render_to_string(f"signup/email/{kind}.txt", context)
        subject, _blank, text = body.partition("\n")
        send_mail(subject.strip(), text.strip() + "\n", None, [application.applicant_email])


def status_url(application: Application) -> str:
    """Where the applicant follows the application."""
    return url_for_host(settings.KOMMUNAL_DOMAIN) + reverse(
        "signup:status", kwargs={"pk": application.pk}, urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )


def trust_domain(*, ags: str, domain: str, actor: str) -> TrustedDomain:
    """Register ``domain`` as an e-mail domain of the commune ``ags`` for auto-approval (idempotent)."""
    domain = domain.strip().lower().lstrip("@")
    if not Municipality.objects.filter(ags=ags).exists():
        raise ValidationError(
            {"ags": _("No municipality with the AGS %(ags)s is in the official directory.") % {"ags": ags}}
        )
    if "." not in domain or "@" in domain or " " in domain:
        raise ValidationError({"domain": _("Enter a domain such as zeitz.de.")})
    with transaction.atomic():
        trusted, created = TrustedDomain.objects.get_or_create(ags=ags, domain=domain, defaults={"created_by": actor})
        if created:
            audit.record("signup.domain_trusted", actor=actor, target=domain, ags=ags)
    return trusted
