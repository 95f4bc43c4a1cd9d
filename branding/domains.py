"""Custom host names of a commune (``service.zeitz.de``), routed only after DNS verification.

The commune publishes ``TXT "kommunal-verification=<token>"`` at ``_kommunal.<host>``. The
lookup goes through dnspython; ``KOMMUNAL_DNS_NAMESERVERS`` (``ip[:port]``, comma-separated)
chooses the resolvers, otherwise the system's are used. The routing middleware
(``tenants.middleware``) only serves hosts with ``verified_at`` set.
"""

from __future__ import annotations

import re
import secrets

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from audit import services as audit
from tenants.models import Commune, Domain

HOST_NAME = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RECORD_PREFIX = "_kommunal."
TXT_VALUE_PREFIX = "kommunal-verification="


def txt_record_name(domain: Domain) -> str:
    """Where the commune publishes the verification token."""
    return f"{RECORD_PREFIX}{domain.domain}"


def txt_record_value(domain: Domain) -> str:
    """The TXT value that proves control of the host."""
    return f"{TXT_VALUE_PREFIX}{domain.verification_token}"


def custom_domains(commune: Commune) -> list[Domain]:
    """The commune's custom hosts (not its primary ``<slug>.<KOMMUNAL_DOMAIN>``)."""
    with schema_context(get_public_schema_name()):
        return list(Domain.objects.filter(tenant=commune, is_primary=False).order_by("domain"))


def add_custom_domain(*, commune: Commune, actor: str, host: str) -> Domain:
    """Register ``host`` for the commune, unverified, with a fresh verification token."""
    host = host.strip().lower().rstrip(".")
    if not HOST_NAME.match(host):
        raise ValidationError({"host": _("Enter a host name such as service.zeitz.de.")})
    platform = settings.KOMMUNAL_DOMAIN
    if host == platform or host.endswith(f".{platform}"):
        raise ValidationError(
            {"host": _("Host names under %(domain)s are assigned by the platform.") % {"domain": platform}}
        )
    with schema_context(get_public_schema_name()), transaction.atomic():
        if Domain.objects.filter(domain=host).exists():
            raise ValidationError({"host": _("This host name is already registered.")})
        domain = Domain.objects.create(
            tenant=commune, domain=host, is_primary=False, verification_token=secrets.token_urlsafe(24)
        )
        audit.record("branding.domain_added", actor=actor, commune=commune, target=host)
    return domain


def lookup_txt(name: str) -> list[str]:
    """The TXT strings published at ``name`` (empty when there are none or DNS fails)."""
    resolver = dns.resolver.Resolver(configure=not settings.KOMMUNAL_DNS_NAMESERVERS)
    if settings.KOMMUNAL_DNS_NAMESERVERS:
        resolver.nameservers = []
        for server in settings.KOMMUNAL_DNS_NAMESERVERS:
            address, _sep, port = server.partition(":")
            resolver.nameservers.append(address)
            if port:
                resolver.port = int(port)
    resolver.lifetime = 5.0
    try:
        answer = resolver.resolve(name, "TXT")
    except dns.exception.DNSException:
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def verify_domain(*, commune: Commune, actor: str, domain_id: int) -> Domain:
    """Look up the TXT token of one of the commune's hosts; mark it verified when it matches."""
    with schema_context(get_public_schema_name()):
        domain = Domain.objects.get(pk=domain_id, tenant=commune, is_primary=False)
        if domain.verified_at:
            return domain
        if txt_record_value(domain) not in lookup_txt(txt_record_name(domain)):
            raise ValidationError(
                _("No TXT record %(value)s was found at %(name)s yet. DNS changes can take a while to appear.")
                % {"value": txt_record_value(domain), "name": txt_record_name(domain)}
            )
        with transaction.atomic():
            domain.verified_at = timezone.now()
            domain.save(update_fields=["verified_at"])
            audit.record("branding.domain_verified", actor=actor, commune=commune, target=domain.domain)
    return domain


def remove_custom_domain(*, commune: Commune, actor: str, domain_id: int) -> None:
    """Stop routing one of the commune's custom hosts."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        domain = Domain.objects.get(pk=domain_id, tenant=commune, is_primary=False)
        domain.delete()
        audit.record("branding.domain_removed", actor=actor, commune=commune, target=domain.domain)
