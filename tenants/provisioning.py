"""Turning a registered commune into a working one: schema, host, first administrator.

Every step checks what already exists, so provisioning that stopped half-way completes when it
runs again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from accounts.services import ensure_user, invitation_path
from kommunal.hosts import url_for_host
from tenants import actions
from tenants.models import Commune, Domain


@dataclass(frozen=True)
class ProvisionedCommune:
    """The result of provisioning: where the commune answers and how its admin gets in."""

    commune: Commune
    url: str
    admin: User
    invitation_url: str


def ensure_schema(commune: Commune) -> None:
    """Create and migrate the commune's schema unless it exists."""
    if not schema_exists(commune.schema_name):
        commune.create_schema(check_if_exists=True, verbosity=0)


def ensure_primary_domain(commune: Commune) -> Domain:
    """Register ``<slug>.<KOMMUNAL_DOMAIN>`` as the commune's primary, verified host."""
    domain, _created = Domain.objects.get_or_create(
        domain=commune.primary_host,
        defaults={"tenant": commune, "is_primary": True, "verified_at": timezone.now()},
    )
    return domain


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
    base_url = url_for_host(domain.domain)
    return ProvisionedCommune(commune=commune, url=base_url, admin=admin, invitation_url=base_url + invitation)
