"""Activating, deactivating and upgrading services of the commune whose schema is active.

Every change is an explicit action with an ``ActivationEvent`` and an audit entry, and
``service_activated`` / ``service_deactivated`` are sent once the transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from activations.models import Activation, ActivationEvent, PaymentMode
from activations.signals import service_activated, service_deactivated
from activations.texts import clean_texts
from audit import services as audit
from catalog.models import Service, ServiceVersion
from catalog.selectors import latest_published_version
from tenants.db import on_commit_in_current_schema
from tenants.models import Commune


@dataclass(frozen=True)
class LocalSettings:
    """What a commune may set for a service it offers."""

    fee: Decimal | None = None
    office_name: str = ""
    office_address: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    opening_hours: str = ""
    notes: str = ""
    online_submission: bool = True
    payment_mode: str = PaymentMode.NONE

    @classmethod
    def of(cls, activation: Activation) -> LocalSettings:
        """The settings an activation has now."""
        return cls(**{field.name: getattr(activation, field.name) for field in fields(cls)})

    def as_fields(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def validate_local_settings(version: ServiceVersion, local: LocalSettings) -> None:
    """Refuse settings the service version does not allow, naming the field."""
    errors: dict[str, str] = {}
    if local.fee is not None:
        if local.fee < version.min_fee:
            errors["fee"] = _("The fee must be at least %(min)s EUR.") % {"min": version.min_fee}
        elif version.max_fee is not None and local.fee > version.max_fee:
            errors["fee"] = _("The fee must not exceed %(max)s EUR.") % {"max": version.max_fee}
        elif version.service.fee_model == "free" and local.fee != 0:
            errors["fee"] = _("This service is free of charge.")
    if local.online_submission and not version.online_submission_allowed:
        errors["online_submission"] = _("This service cannot be applied for online.")
    if local.payment_mode != PaymentMode.NONE and not local.fee:
        errors["payment_mode"] = _("Online payment needs a fee above zero.")
    elif local.payment_mode != PaymentMode.NONE and not (
        settings.STRIPE_API_KEY and settings.STRIPE_CONNECT_WEBHOOK_SECRET
    ):
        errors["payment_mode"] = _("Online payment is not configured on this platform.")
    if errors:
        raise ValidationError(errors)


def _commune() -> Commune | None:
    """The commune whose schema the connection is routed to."""
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Commune) else None


def _send_after_commit(signal: Any, activation: Activation) -> None:
    commune = _commune()
    on_commit_in_current_schema(lambda: signal.send(sender=Activation, activation=activation, commune=commune))


def _record(activation: Activation, action: str, actor: str, **extra: Any) -> None:
    ActivationEvent.objects.create(activation=activation, action=action, actor=actor, **extra)
    audit.record(
        f"service.{action}",
        actor=actor,
        commune=_commune(),
        target=activation.service.slug,
        version=activation.version.number,
    )


@transaction.atomic
def activate_service(*, service_slug: str, actor: str, local: LocalSettings | None = None) -> Activation:
    """Offer ``service_slug`` in this commune at its newest published version (idempotent).

    Activating a service that is already active changes nothing; one that was deactivated is
    reactivated at the version it had.
    """
    local = local or LocalSettings()
    service = Service.objects.filter(slug=service_slug).first()
    if service is None:
        raise ValidationError(
            {"service": _("There is no service '%(slug)s' in the catalogue.") % {"slug": service_slug}}
        )
    existing = Activation.objects.select_for_update().filter(service=service).first()
    if existing is not None:
        if not existing.is_active:
            existing.is_active = True
            existing.save(update_fields=["is_active", "updated_at"])
            _record(existing, ActivationEvent.Action.REACTIVATED, actor, to_version=existing.version.number)
            _send_after_commit(service_activated, existing)
        return existing
    version = latest_published_version(service)
    if version is None:
        raise ValidationError({"service": _("'%(title)s' has no published version yet.") % {"title": service.title}})
    validate_local_settings(version, local)
    activation = Activation.objects.create(service=service, version=version, **local.as_fields())
    _record(activation, ActivationEvent.Action.ACTIVATED, actor, to_version=version.number)
    _send_after_commit(service_activated, activation)
    return activation


@transaction.atomic
def deactivate_service(activation: Activation, *, actor: str) -> Activation:
    """Stop offering the service; its requests and settings stay (idempotent)."""
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    if activation.is_active:
        activation.is_active = False
        activation.save(update_fields=["is_active", "updated_at"])
        _record(activation, ActivationEvent.Action.DEACTIVATED, actor, from_version=activation.version.number)
        _send_after_commit(service_deactivated, activation)
    return activation


@transaction.atomic
def update_local_settings(activation: Activation, *, actor: str, local: LocalSettings) -> Activation:
    """Change what the commune set for the service, validated against its version."""
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    validate_local_settings(activation.version, local)
    for name, value in local.as_fields().items():
        setattr(activation, name, value)
    activation.save()
    _record(activation, ActivationEvent.Action.SETTINGS_CHANGED, actor, data={"fields": sorted(local.as_fields())})
    return activation


@transaction.atomic
def update_texts(activation: Activation, *, actor: str, texts: dict[str, Any]) -> Activation:
    """Replace the commune's own texts of the service (all languages at once), validated.

    Saving the activation makes the commune's cached portal pages stale (``portal.signals``).
    """
    cleaned = clean_texts(texts)
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    if cleaned == activation.texts:
        return activation
    activation.texts = cleaned
    activation.save(update_fields=["texts", "updated_at"])
    _record(activation, ActivationEvent.Action.TEXTS_CHANGED, actor, data={"languages": sorted(cleaned)})
    return activation


@transaction.atomic
def upgrade_activation(activation: Activation, *, actor: str) -> Activation:
    """Move the activation to the service's newest published version, keeping valid settings."""
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    newest = latest_published_version(activation.service)
    if newest is None or newest.number <= activation.version.number:
        return activation
    validate_local_settings(newest, LocalSettings.of(activation))
    previous = activation.version.number
    activation.version = newest
    activation.save(update_fields=["version", "updated_at"])
    _record(activation, ActivationEvent.Action.UPGRADED, actor, from_version=previous, to_version=newest.number)
    return activation
