"""Validation of the identifiers a commune is known by: AGS, slug and schema name."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Land prefixes of the Amtlicher Gemeindeschlüssel: 01 Schleswig-Holstein ... 16 Thüringen.
LAND_CODES = {f"{number:02d}" for number in range(1, 17)}
AGS_PATTERN = re.compile(r"^\d{8}$")

SCHEMA_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,62}$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
RESERVED_NAMES = frozenset(
    {
        "public",
        "information_schema",
        "www",
        "api",
        "admin",
        "operator",
        "operators",
        "static",
        "media",
        "mail",
        "smtp",
        "ftp",
        "app",
        "apps",
        "assets",
        "cdn",
        "docs",
        "status",
        "health",
        "billing",
        "signup",
        "login",
        "auth",
        "kommunal",
        "postgres",
        "template",
        "template0",
        "template1",
        "default",
        "root",
        "system",
        "test",
        "demo",
        "localhost",
    }
)


def validate_ags(value: str) -> None:
    """An AGS is eight digits whose first two name a Land (01-16)."""
    if not AGS_PATTERN.match(value or ""):
        raise ValidationError(_("The AGS must consist of exactly eight digits, e.g. 15084590."), code="ags_format")
    if value[:2] not in LAND_CODES:
        raise ValidationError(
            _("The AGS must start with a Land code from 01 to 16; '%(prefix)s' is none."),
            code="ags_land",
            params={"prefix": value[:2]},
        )


def validate_slug(value: str) -> None:
    """A slug is the commune's host label: lower-case letters, digits and hyphens, 3-63 characters."""
    if not SLUG_PATTERN.match(value or ""):
        raise ValidationError(
            _(
                "'%(value)s' is not a valid address name: use 3 to 63 lower-case letters, digits and hyphens, "
                "starting with a letter and not ending with a hyphen."
            ),
            code="slug_format",
            params={"value": value},
        )
    _refuse_reserved(value)


def validate_schema_name(value: str) -> None:
    """A schema name is a safe PostgreSQL identifier that no system or platform name uses."""
    if not SCHEMA_NAME_PATTERN.match(value or ""):
        raise ValidationError(
            _(
                "'%(value)s' is not a valid schema name: use 3 to 63 characters of lower-case letters, digits "
                "and underscores, starting with a letter."
            ),
            code="schema_name_format",
            params={"value": value},
        )
    if value.startswith("pg_"):
        raise ValidationError(
            _("'%(value)s' is reserved: schema names starting with 'pg_' belong to PostgreSQL."),
            code="schema_name_reserved",
            params={"value": value},
        )
    _refuse_reserved(value)


def _refuse_reserved(value: str) -> None:
    if value in RESERVED_NAMES:
        raise ValidationError(
            _("'%(value)s' is reserved for the platform and cannot name a commune."),
            code="reserved_name",
            params={"value": value},
        )


def schema_name_for_slug(slug: str) -> str:
    """The schema name a slug maps to (hyphens become underscores)."""
    return slug.replace("-", "_")
