"""What operators do to communes and to their own accounts; each action writes its audit entry.

Suspending and reactivating are ``tenants.actions.suspend_commune`` / ``reactivate_commune``;
this module adds migrating, exporting, importing, offboarding and purging a commune, and the
operators' roles, second-factor invitations and API tokens.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import get_public_schema_name, schema_context

from audit import services as audit
from operators import archive
from operators.models import OperatorInvitation, OperatorProfile, OperatorToken, Role
from operators.signals import commune_offboarded
from tenants import actions as tenant_actions
from tenants import placement
from tenants.db import connection
from tenants.migration_state import schema_fingerprint
from tenants.models import Commune, Domain
from tenants.provisioning import ensure_primary_domain, ensure_schema

Status = Commune.Status
EXPORTS_PREFIX = "operator-exports/"
TOKEN_PREFIX = "kop_"  # noqa: S105  (a marker, not a secret)
TOKEN_LIFETIME = timedelta(days=90)


@dataclass(frozen=True)
class Export:
    """An archive stored in the default storage."""

    path: str
    sha256: str
    size: int
    summary: archive.ArchiveSummary


def exports_prefix(commune: Commune) -> str:
    """Where the archives of ``commune`` are kept in the default storage."""
    return f"{EXPORTS_PREFIX}{commune.schema_name}/"


def export_commune(commune: Commune, *, actor: str) -> Export:
    """Write the commune's archive to the default storage and record it."""
    with tempfile.TemporaryFile() as target:
        summary = archive.write_archive(commune, target)
        target.seek(0)
        digest = hashlib.sha256()
        while chunk := target.read(archive.CHUNK):
            digest.update(chunk)
        size = target.tell()
        target.seek(0)
        name = f"{exports_prefix(commune)}{commune.schema_name}-{timezone.now():%Y%m%dT%H%M%SZ}.zip"
        path = default_storage.save(name, File(target))
    audit.record(
        "commune.exported",
        actor=actor,
        commune=commune,
        target=commune.slug,
        path=path,
        sha256=digest.hexdigest(),
        counts=summary.counts,
        files=summary.files,
    )
    return Export(path=path, sha256=digest.hexdigest(), size=size, summary=summary)


def migrate_commune(commune: Commune, *, actor: str) -> str:
    """Apply pending migrations to the commune's schema; returns a digest of its new migration state.

    ``migrate_schemas`` records the applied migrations on the commune (tenants.signals).
    """
    server = commune.placement
    before = schema_fingerprint(commune.schema_name, using=server)
    call_command("migrate_schemas", schema_name=commune.schema_name, database=server, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    state = schema_fingerprint(commune.schema_name, using=server)
    audit.record("commune.migrated", actor=actor, commune=commune, target=commune.slug, before=before, after=state)
    return state


def import_commune(source: IO[bytes], *, ags: str, slug: str, actor: str) -> Commune:
    """Create a new commune from an archive: verify it, register, provision an empty schema, load.

    Nothing is created when the archive is invalid or was altered.
    """
    with zipfile.ZipFile(source) as zipped:
        manifest = archive.verify_archive(zipped)
        commune = tenant_actions.register_commune(ags=ags, slug=slug, actor=actor, status=Status.PROVISIONING)
        try:
            ensure_schema(commune)
            ensure_primary_domain(commune)
            summary = archive.load_archive(zipped, manifest, commune)
        except Exception:
            _discard_failed_import(commune, actor=actor)
            raise
    tenant_actions.transition(commune, Status.ACTIVE, actor=actor)
    audit.record(
        "commune.imported",
        actor=actor,
        commune=commune,
        target=commune.slug,
        source_schema=manifest["schema_name"],
        counts=summary.counts,
        files=summary.files,
    )
    return commune


def _discard_failed_import(commune: Commune, *, actor: str) -> None:
    """Remove what a failed import created, so that the same AGS and slug can be imported again."""
    connection.set_schema_to_public()
    _delete_tree(archive.files_prefix(commune.schema_name), archive.file_storages())
    _drop_schema(commune)
    audit.record("commune.import_failed", actor=actor, target=commune.slug, ags=commune.ags)
    commune.delete()


def offboard_commune(commune: Commune, *, actor: str, reason: str) -> Export:
    """Export the commune, then close it for good; its data is purged after the retention period.

    Routing stops at once (only active and suspended communes are routed). Receivers of
    ``operators.signals.commune_offboarded`` (billing) run after the commit.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the commune is offboarded.")})
    if commune.status not in (Status.ACTIVE, Status.SUSPENDED):
        raise tenant_actions.TransitionError(_("Only active or suspended communes can be offboarded."))
    export = export_commune(commune, actor=actor)
    with transaction.atomic():
        tenant_actions.transition(commune, Status.OFFBOARDED, actor=actor, reason=reason)
        audit.record("commune.offboarded", actor=actor, commune=commune, target=commune.slug, export=export.path)
        transaction.on_commit(
            lambda: commune_offboarded.send(sender=Commune, commune=commune, actor=actor, export_path=export.path)
        )
    return export


def purge_due(now: datetime | None = None) -> list[Commune]:
    """Offboarded communes whose retention period has passed and whose schema still exists."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KOMMUNAL_OFFBOARD_RETENTION_DAYS)
    due = Commune.objects.filter(status=Status.OFFBOARDED, status_changed_at__lte=cutoff).order_by("pk")
    return [
        commune
        for commune in due
        if placement.schema_exists_on(commune.placement, commune.schema_name)
        or Domain.objects.filter(tenant=commune).exists()
    ]


def _drop_schema(commune: Commune) -> None:
    server = placement.connection_to(commune.placement)
    with server.cursor() as cursor:
        # Checks deferred to the commit would refer to the dropped tables: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP SCHEMA IF EXISTS {server.ops.quote_name(commune.schema_name)} CASCADE")


def _delete_tree(prefix: str, aliases: tuple[str, ...] = ("default",)) -> int:
    deleted = 0
    for alias in aliases:
        storage = storages[alias]
        paths = list(archive.walk_storage(prefix, storage))
        for path in paths:
            storage.delete(path)
        deleted += len(paths)
    return deleted


def purge_commune(commune: Commune, *, actor: str = audit.SYSTEM) -> None:
    """Drop an offboarded commune's schema, files, archives and host names; the registry row stays."""
    if commune.status != Status.OFFBOARDED:
        raise tenant_actions.TransitionError(_("Only offboarded communes can be purged."))
    with schema_context(get_public_schema_name()), transaction.atomic():
        _drop_schema(commune)
        domains = list(Domain.objects.filter(tenant=commune).values_list("domain", flat=True))
        Domain.objects.filter(tenant=commune).delete()
        files = _delete_tree(archive.files_prefix(commune.schema_name), archive.file_storages())
        files += _delete_tree(exports_prefix(commune))
        audit.record("commune.purged", actor=actor, commune=commune, target=commune.slug, domains=domains, files=files)


def purge_offboarded(now: datetime | None = None, *, actor: str = audit.SYSTEM) -> list[Commune]:
    """Purge every commune offboarded longer than ``KOMMUNAL_OFFBOARD_RETENTION_DAYS`` ago."""
    purged = purge_due(now)
    for commune in purged:
        purge_commune(commune, actor=actor)
    return purged


@transaction.atomic
def set_role(user: Any, role: str, *, actor: str) -> OperatorProfile:
    """Make a public-schema account an operator with ``role`` (or change its role)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    profile, _created = OperatorProfile.objects.update_or_create(user=user, defaults={"role": role})
    audit.record("operator.role_set", actor=actor, target=user.email, role=role)
    return profile


def hash_token(key: str) -> str:
    """The stored form of an operator token."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(
    operator: Any, *, name: str, actor: str, lifetime: timedelta = TOKEN_LIFETIME
) -> tuple[OperatorToken, str]:
    """A new API token for ``operator``; the key is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = OperatorToken.objects.create(
        operator=operator,
        name=name.strip(),
        prefix=key[:12],
        key_hash=hash_token(key),
        expires_at=timezone.now() + lifetime,
    )
    audit.record("operator.token_created", actor=actor, target=operator.email, token=token.prefix, name=token.name)
    return token, key


def invite_operator(user: Any, *, actor: str) -> str:
    """A one-time link (path) with which ``user`` enrols a new second factor; e-mailed to them.

    Earlier unused links of the user stop working. The link is valid
    ``KOMMUNAL_OPERATOR_INVITATION_HOURS`` and works only for the signed-in ``user``.
    """
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        OperatorInvitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        invitation = OperatorInvitation.objects.create(
            user=user,
            key_hash=hash_token(key),
            created_by=actor,
            expires_at=now + timedelta(hours=settings.KOMMUNAL_OPERATOR_INVITATION_HOURS),
        )
        audit.record("operator.invited", actor=actor, target=user.email, expires_at=invitation.expires_at.isoformat())
    path = reverse("operators:enrol", kwargs={"key": key}, urlconf="kommunal.urls_public")
    link = settings.KOMMUNAL_PUBLIC_URL + path
    body = _(
        "You were invited to the Kommunal operator console. Sign in with your password and open this link "
        "within %(hours)s hours to set up your second factor (authenticator app):\n\n%(link)s\n\n"
        "The link works once. If you did not expect it, tell the provider's administrators."
    ) % {"hours": settings.KOMMUNAL_OPERATOR_INVITATION_HOURS, "link": link}
    transaction.on_commit(lambda: send_mail(_("Set up your second factor"), body, None, [user.email]))
    return path


def usable_invitation(user: Any, key: str) -> OperatorInvitation | None:
    """The unused, unexpired invitation of ``user`` that ``key`` opens; None for any other key."""
    invitation = OperatorInvitation.objects.filter(user=user, key_hash=hash_token(key)).first()
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def complete_enrolment(invitation: OperatorInvitation, device: TOTPDevice) -> list[str]:
    """Use up the invitation, confirm ``device`` in place of any earlier one, return new recovery codes.

    The codes (django-otp static tokens, each valid once) are returned to be shown once; earlier
    codes and authenticator entries of the operator stop working.
    """
    locked = OperatorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_usable:
        raise ValidationError(_("This invitation link was already used or has expired."))
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    user = locked.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.KOMMUNAL_OPERATOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    audit.record("operator.otp_enrolled", actor=f"operator:{user.email}", target=user.email, recovery_codes=len(codes))
    return codes


@transaction.atomic
def revoke_token(token: OperatorToken, *, actor: str) -> OperatorToken:
    """Stop a token from working, at once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("operator.token_revoked", actor=actor, target=token.operator.email, token=token.prefix)
    return token
