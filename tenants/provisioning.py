"""Turning a registered commune into a working one: schema, host, first administrator.

Every step checks what already exists, so provisioning that stopped half-way completes when it
runs again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from accounts.models import User
from accounts.services import ensure_user, invitation_path
from audit import services as audit
from kommunal.hosts import url_for_host
from operators import stats
from tenants import actions, placement, template
from tenants.db import connection
from tenants.migration_state import schema_is_migrated
from tenants.models import Commune, Domain
from tenants.signals import record_migration_state

logger = logging.getLogger(__name__)

CLONE = "clone"
MIGRATE = "migrate"
EXISTING = "existing"


@dataclass(frozen=True)
class ProvisionedCommune:
    """The result of provisioning: where the commune answers and how its admin gets in."""

    commune: Commune
    url: str
    admin: User
    invitation_url: str


def ensure_schema(commune: Commune, *, method: str | None = None) -> str:
    """Give the commune a fully migrated schema; return how: ``clone``, ``migrate`` or ``existing``.

    A commune that has no schema yet is first placed on the database server holding the fewest
    communes (``tenants.placement``). A new schema is cloned from that server's template when
    the template is current (and ``KOMMUNAL_SCHEMA_FROM_TEMPLATE`` is on, or ``method="clone"``),
    else created by running the migrations. A schema whose migrations stopped half-way is
    migrated to the end. Either way the schema's applied migrations are recorded on the commune.
    """
    method = method or (CLONE if getattr(settings, "KOMMUNAL_SCHEMA_FROM_TEMPLATE", True) else MIGRATE)
    if placement.schema_exists_on(commune.placement, commune.schema_name):
        if not schema_is_migrated(commune.schema_name, using=commune.placement):
            _migrate(commune)
        how = EXISTING
    else:
        _place(commune)
        if commune.placement != DEFAULT_DB_ALIAS:
            # Another server's template is a copy of default's, refreshed when it is stale.
            placement.sync_server(commune.placement)
        if method == CLONE and template.template_is_current():
            # One statement: the schema exists completely or not at all.
            template.clone_template(commune.schema_name, using=commune.placement)
            how = CLONE
        else:
            if method == CLONE:
                logger.info("no current template schema; %s is created by migrations", commune.schema_name)
            with placement.connection_to(commune.placement).cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{commune.schema_name}"')
            _migrate(commune)
            how = MIGRATE
    record_migration_state(sender=None, schema_name=commune.schema_name)
    return how


def _place(commune: Commune) -> None:
    """Put a commune without a schema on the emptiest server (recorded before its schema exists)."""
    server = placement.emptiest_alias(excluding=commune)
    if server != commune.placement:
        commune.placement = server
        with schema_context(get_public_schema_name()):
            Commune.objects.filter(pk=commune.pk).update(placement=server)


def _migrate(commune: Commune) -> None:
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=commune.schema_name,
        database=commune.placement,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()


def ensure_primary_domain(commune: Commune) -> Domain:
    """Register ``<slug>.<KOMMUNAL_DOMAIN>`` as the commune's primary, verified host."""
    domain, _created = Domain.objects.get_or_create(
        domain=commune.primary_host,
        defaults={"tenant": commune, "is_primary": True, "verified_at": timezone.now()},
    )
    return domain


def discard_commune(commune: Commune, *, actor: str, reason: str) -> None:
    """Remove a commune that never opened: its schema, its hosts and its registry entry.

    Used when provisioning failed or was abandoned, so that nothing half-made stays behind.
    Refuses communes that are (or were) open to citizens.
    """
    if commune.status not in (Commune.Status.PENDING_REVIEW, Commune.Status.PROVISIONING):
        raise ValidationError(f"{commune.slug} is {commune.status}; only communes that never opened can be discarded.")
    with schema_context(get_public_schema_name()), transaction.atomic():
        placement.drop_schema_on(commune.placement, commune.schema_name)
        Domain.objects.filter(tenant=commune).delete()
        audit.record(
            "commune.discarded", actor=actor, commune=commune, target=commune.slug, ags=commune.ags, reason=reason
        )
        Commune.objects.filter(pk=commune.pk).delete()


def provision_commune(
    commune: Commune, *, admin_email: str, admin_name: str, actor: str, admin_password: str | None = None
) -> ProvisionedCommune:
    """Create everything a registered commune needs and open it (idempotent, resumable)."""
    if commune.status == Commune.Status.PENDING_REVIEW:
        actions.transition(commune, Commune.Status.PROVISIONING, actor=actor)
    ensure_schema(commune)
    domain = ensure_primary_domain(commune)
    with tenant_context(commune), transaction.atomic():
        admin = ensure_user(email=admin_email, full_name=admin_name, role=User.Role.ADMIN, password=admin_password)
        invitation = invitation_path(admin)
    if commune.status == Commune.Status.PROVISIONING:
        actions.transition(commune, Commune.Status.ACTIVE, actor=actor)
    # The console shows a new commune with its figures at once, not after the next periodic refresh.
    stats.refresh_commune_stats(commune)
    base_url = url_for_host(domain.domain)
    return ProvisionedCommune(commune=commune, url=base_url, admin=admin, invitation_url=base_url + invitation)
