"""Custom host names of a commune (``service.zeitz.de``), routed only after DNS verification.

The commune publishes ``TXT "kommunal-verification=<token>"`` at ``_kommunal.<host>``. The
lookup goes through dnspython; ``KOMMUNAL_DNS_NAMESERVERS`` (``ip[:port]``, comma-separated)
chooses the resolvers, otherwise the system's are used. The routing middleware
(``tenants.middleware``) only serves hosts with ``verified_at`` set.

A claim cannot block the host's real owner: the token is derived from the commune and the host
(the same each time that commune claims that host), an unverified claim of another commune gives
way at once to a commune whose TXT record is already published, and it lapses after
``KOMMUNAL_DOMAIN_CLAIM_DAYS`` days without verification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

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


def claim_token(commune: Commune, host: str) -> str:
    """The verification token of ``commune`` for ``host``; a published TXT record stays valid."""
    message = f"kommunal-host-claim:{commune.schema_name}:{host}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def claim_expires_at(domain: Domain) -> datetime:
    """When an unverified claim of ``domain`` gives way to any other commune."""
    return domain.created_at + timedelta(days=settings.KOMMUNAL_DOMAIN_CLAIM_DAYS)


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
    token = claim_token(commune, host)
    with schema_context(get_public_schema_name()), transaction.atomic():
        existing = Domain.objects.select_for_update().filter(domain=host).first()
        if existing is not None:
            _release_claim(existing, commune=commune, actor=actor, token=token)
        domain = Domain.objects.create(tenant=commune, domain=host, is_primary=False, verification_token=token)
        audit.record("branding.domain_added", actor=actor, commune=commune, target=host)
    return domain


def _release_claim(existing: Domain, *, commune: Commune, actor: str, token: str) -> None:
    """Remove another commune's unverified claim that has lapsed or that ``commune`` proves wrong."""
    if existing.verified_at or existing.is_primary or existing.tenant_id == commune.pk:
        raise ValidationError({"host": _("This host name is already registered.")})
    if claim_expires_at(existing) <= timezone.now():
        reason = "expired"
    elif f"{TXT_VALUE_PREFIX}{token}" in lookup_txt(txt_record_name(existing)):
        reason = "superseded"
    else:
        raise ValidationError(
            {
                "host": _(
                    "Another commune has claimed this host name and has until %(date)s to verify it. If the host "
                    "is yours, publish the TXT record %(value)s at %(name)s and add it again: your record takes "
                    "it over at once."
                )
                % {
                    "date": timezone.localtime(claim_expires_at(existing)).strftime("%d.%m.%Y %H:%M"),
                    "value": f"{TXT_VALUE_PREFIX}{token}",
                    "name": txt_record_name(existing),
                }
            }
        )
    existing.delete()
    audit.record(
        "branding.domain_claim_released",
        actor=actor,
        commune=existing.tenant,
        target=existing.domain,
        reason=reason,
        claimed_by=commune.slug,
    )


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
