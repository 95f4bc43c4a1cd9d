"""Every change of a commune's lifecycle, each with its audit entry in the same transaction.

A reader who wants to know what suspending a commune does reads ``suspend_commune``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from audit import services as audit
from tenants.models import Commune, Municipality, StatusTransition
from tenants.validators import schema_name_for_slug, validate_schema_name, validate_slug

Status = Commune.Status

# Which status may follow which: anything else is a programming or operator error.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING_REVIEW: {Status.PROVISIONING, Status.OFFBOARDED},
    Status.PROVISIONING: {Status.ACTIVE, Status.OFFBOARDED},
    Status.ACTIVE: {Status.SUSPENDED, Status.OFFBOARDED},
    Status.SUSPENDED: {Status.ACTIVE, Status.OFFBOARDED},
    Status.OFFBOARDED: set(),
}


class TransitionError(ValidationError):
    """A status change the lifecycle does not allow."""


@dataclass(frozen=True)
class CommuneIdentity:
    """What a new commune is called and where it answers, derived from the official directory."""

    name: str
    slug: str
    kind: str


def identity_for(municipality: Municipality, slug: str | None = None) -> CommuneIdentity:
    """Name, slug and kind for a municipality of the directory; ``slug`` overrides the derived one."""
    kind = Commune.Kind.STADT if municipality.is_city else Commune.Kind.GEMEINDE
    return CommuneIdentity(name=municipality.short_name, slug=slug or slug_for_name(municipality.short_name), kind=kind)


def slug_for_name(name: str) -> str:
    """A host label for a municipality name: 'Weißwasser/O.L.' becomes 'weisswasser'."""
    base = name.split("/")[0].split(",")[0].strip().lower()
    for source, target in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        base = base.replace(source, target)
    cleaned = "".join(char if char.isascii() and char.isalnum() else "-" for char in base)
    return "-".join(part for part in cleaned.split("-") if part)


@transaction.atomic
def register_commune(*, ags: str, actor: str, slug: str | None = None, status: str = Status.PENDING_REVIEW) -> Commune:
    """Create the registry entry of a commune from the official directory (no schema yet).

    Raises ``ValidationError`` with a sentence for the user when the AGS is unknown or taken, or
    the slug or schema name is refused.
    """
    municipality = Municipality.objects.filter(ags=ags, retired_at__isnull=True).first()
    if municipality is None:
        raise ValidationError(
            {"ags": _("No municipality with the AGS %(ags)s is in the official directory.") % {"ags": ags}}
        )
    identity = identity_for(municipality, slug)
    if slug is None and Commune.objects.filter(slug=identity.slug).exists():
        # Many municipalities share a name (there are 19 Neuenkirchen): the AGS tells them apart.
        identity = identity_for(municipality, f"{identity.slug}-{ags}")
    validate_slug(identity.slug)
    schema_name = schema_name_for_slug(identity.slug)
    validate_schema_name(schema_name)
    if Commune.objects.filter(ags=ags).exists():
        raise ValidationError({"ags": _("%(name)s already uses Kommunal.") % {"name": municipality.short_name}})
    if Commune.objects.filter(slug=identity.slug).exists():
        raise ValidationError(
            {"slug": _("The address name '%(slug)s' is taken; choose another one.") % {"slug": identity.slug}}
        )
    commune = Commune(
        name=identity.name,
        ags=ags,
        land=municipality.land,
        landkreis=municipality.kreis,
        kind=identity.kind,
        slug=identity.slug,
        schema_name=schema_name,
        status=status,
    )
    commune.full_clean()
    commune.save()
    StatusTransition.objects.create(commune=commune, from_status="", to_status=status, actor=actor)
    audit.record("commune.registered", actor=actor, commune=commune, target=commune.slug, ags=ags)
    return commune


def transition(commune: Commune, to_status: str, *, actor: str, reason: str = "") -> Commune:
    """Move ``commune`` to ``to_status``, recording the time, the actor and the reason.

    The registry lives in the public schema; the change is made there whichever commune the
    caller's connection is routed to.
    """
    with schema_context(get_public_schema_name()), transaction.atomic():
        return _transition(commune, to_status, actor=actor, reason=reason)


def _transition(commune: Commune, to_status: str, *, actor: str, reason: str) -> Commune:
    locked = Commune.objects.select_for_update().get(pk=commune.pk)
    if locked.status == to_status:
        return locked
    if to_status not in ALLOWED_TRANSITIONS[locked.status]:
        raise TransitionError(
            _("A commune cannot go from '%(from)s' to '%(to)s'.")
            % {"from": locked.get_status_display(), "to": Commune.Status(to_status).label}
        )
    StatusTransition.objects.create(
        commune=locked, from_status=locked.status, to_status=to_status, actor=actor, reason=reason
    )
    audit.record(
        "commune.status_changed",
        actor=actor,
        commune=locked,
        target=locked.slug,
        from_status=locked.status,
        to_status=to_status,
        reason=reason,
    )
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    if to_status == Status.SUSPENDED:
        locked.suspension_reason = reason
    elif to_status == Status.ACTIVE:
        locked.suspension_reason = ""
    locked.save(update_fields=["status", "status_changed_at", "suspension_reason"])
    commune.status, commune.status_changed_at = locked.status, locked.status_changed_at
    commune.suspension_reason = locked.suspension_reason
    return locked


def suspend_commune(commune: Commune, *, actor: str, reason: str) -> Commune:
    """Close the commune's portal and API (503) until it is reactivated; the data stays."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the commune is suspended.")})
    return transition(commune, Status.SUSPENDED, actor=actor, reason=reason)


def reactivate_commune(commune: Commune, *, actor: str, reason: str = "") -> Commune:
    """Open a suspended commune's portal and API again."""
    return transition(commune, Status.ACTIVE, actor=actor, reason=reason)
