"""Changing the catalogue: drafting, publishing and retiring service versions.

Each function validates, writes and records an audit entry in one transaction. A published
version is never changed again: communes run the version they activated until they upgrade.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from catalog import information as info
from catalog.models import Service, ServiceVersion


def validate_form_schema(form_schema: Any, ui_schema: Any) -> None:
    """Refuse a form definition that is not a JSON Schema (Draft 2020-12) of a flat object."""
    if not isinstance(form_schema, dict):
        raise ValidationError({"form_schema": _("The form must be a JSON object.")})
    try:
        jsonschema.Draft202012Validator.check_schema(form_schema)
    except jsonschema.SchemaError as exc:
        raise ValidationError(
            {"form_schema": _("The form is not a valid JSON Schema: %(error)s") % {"error": exc.message}}
        ) from exc
    if form_schema.get("type") != "object" or not isinstance(form_schema.get("properties"), dict):
        raise ValidationError({"form_schema": _("The form must describe an object with properties.")})
    if not isinstance(ui_schema, dict):
        raise ValidationError({"ui_schema": _("The UI hints must be a JSON object.")})


def validate_information(information: Any) -> None:
    """Refuse citizen information that does not follow the XZuFi-shaped schema (see catalog.information)."""
    errors = info.information_errors(information)
    if errors:
        raise ValidationError({"information": [f"{path or '(root)'}: {message}" for path, message in errors]})


def _validate_fees(min_fee: Decimal, max_fee: Decimal | None, default_fee: Decimal | None) -> None:
    if max_fee is not None and max_fee < min_fee:
        raise ValidationError({"max_fee": _("The highest fee must not be below the lowest fee.")})
    if default_fee is not None and (default_fee < min_fee or (max_fee is not None and default_fee > max_fee)):
        raise ValidationError({"default_fee": _("The default fee must lie between the lowest and highest fee.")})


@transaction.atomic
def create_draft_version(
    service: Service,
    *,
    form_schema: dict[str, Any],
    ui_schema: dict[str, Any] | None = None,
    default_fee: Decimal | None = None,
    min_fee: Decimal = Decimal("0"),
    max_fee: Decimal | None = None,
    online_submission_allowed: bool = True,
    min_trust_level: str = "",
    information: dict[str, Any] | None = None,
    changelog: str = "",
    actor: str,
) -> ServiceVersion:
    """Add the next version of ``service`` as a draft; nothing changes for communes yet."""
    ui_schema, information = ui_schema or {}, information or {}
    validate_form_schema(form_schema, ui_schema)
    validate_information(information)
    _validate_fees(min_fee, max_fee, default_fee)
    Service.objects.select_for_update().get(pk=service.pk)  # serialise version numbering
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ServiceVersion.objects.create(
        service=service,
        number=number,
        form_schema=form_schema,
        ui_schema=ui_schema,
        default_fee=default_fee,
        min_fee=min_fee,
        max_fee=max_fee,
        online_submission_allowed=online_submission_allowed,
        min_trust_level=min_trust_level,
        information=information,
        search_text=info.search_text(information),
        changelog=changelog,
    )
    audit.record("catalog.version_drafted", actor=actor, target=service.slug, version=number)
    return version


@transaction.atomic
def publish_version(version: ServiceVersion, *, actor: str) -> ServiceVersion:
    """Publish a draft (its form was validated when drafted): new activations get it, existing ones may upgrade."""
    version = ServiceVersion.objects.select_for_update().select_related("service").get(pk=version.pk)
    if version.status != ServiceVersion.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft can be published.")})
    version.status = ServiceVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit.record("catalog.version_published", actor=actor, target=version.service.slug, version=version.number)
    return version


@transaction.atomic
def retire_version(version: ServiceVersion, *, actor: str) -> ServiceVersion:
    """Retire a version: no new activations; communes that run it keep it until they upgrade."""
    version = ServiceVersion.objects.select_for_update().select_related("service").get(pk=version.pk)
    if version.status == ServiceVersion.Status.RETIRED:
        raise ValidationError({"status": _("This version is already retired.")})
    version.status = ServiceVersion.Status.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    audit.record("catalog.version_retired", actor=actor, target=version.service.slug, version=version.number)
    return version
