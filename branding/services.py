"""Changing a commune's branding, each change with its audit entry in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from audit import services as audit
from branding import colors, images
from branding.models import Branding
from branding.selectors import brand_name, current_branding, forget_cached_branding
from branding.storage import AssetStore, StorageUnavailable
from tenants.models import Commune

logger = logging.getLogger(__name__)

TEXT_FIELDS = (
    "display_name",
    "primary_color",
    "accent_color",
    "contact",
    "contact_email",
    "imprint_url",
    "privacy_url",
    "accessibility_url",
    "regional_language",
)
LOGO_RENDITIONS = ("logo_96", "logo_192", "favicon_32", "favicon_180")
HEADER_RENDITIONS = ("header",)


def check_colors(values: Mapping[str, str]) -> None:
    """Refuse brand colours on which the portal's white text falls below WCAG 2.1 AA (4.5:1)."""
    errors = {}
    for field in ("primary_color", "accent_color"):
        color = values.get(field)
        if color and colors.HEX_COLOR.match(color) and not colors.passes(color):
            errors[field] = ValidationError(
                _(
                    "White text on %(color)s has a contrast of only %(ratio).1f:1; at least 4.5:1 is "
                    "required (WCAG 2.1 AA). The nearest shade that passes is %(suggestion)s."
                ),
                code="contrast",
                params={
                    "color": color,
                    "ratio": colors.contrast_ratio(color, colors.TEXT_ON_BRAND),
                    "suggestion": colors.nearest_passing(color),
                },
            )
    if errors:
        raise ValidationError(errors)


def _locked_branding() -> Branding:
    Branding.objects.get_or_create(singleton=1)
    return Branding.objects.select_for_update().get(singleton=1)


def _after_change() -> None:
    forget_cached_branding()
    transaction.on_commit(forget_cached_branding)


def update_branding(*, commune: Commune, actor: str, **values: Any) -> Branding:
    """Save the text settings and colours; colours must pass the contrast rule."""
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Not branding fields: {sorted(unknown)}")
    check_colors(values)
    with transaction.atomic():
        branding = _locked_branding()
        changed = {field: value for field, value in values.items() if getattr(branding, field) != value}
        for field, value in changed.items():
            setattr(branding, field, value)
        branding.full_clean()
        branding.save()
        if changed:
            audit.record("branding.updated", actor=actor, commune=commune, fields=sorted(changed))
        _after_change()
    return branding


def _store_renditions(store: AssetStore, renditions: Mapping[str, images.Rendition]) -> dict[str, str]:
    """Write every rendition or none: on a failure the ones already written are removed again."""
    written: dict[str, str] = {}
    try:
        for name, rendition in renditions.items():
            written[name] = store.save(rendition.name, rendition.data)
    except StorageUnavailable:
        for key in written.values():
            try:
                store.delete(key)
            except Exception:  # the store is failing already; the orphan holds no reference
                logger.warning("could not remove %s after a failed upload", key)
        raise
    return written


def _replace_assets(
    *, commune: Commune, actor: str, kind: str, names: Iterable[str], renditions: Mapping[str, images.Rendition]
) -> Branding:
    """Write the new files, commit their keys, and only then delete the files they replace."""
    store = AssetStore(commune.schema_name)
    new_keys = _store_renditions(store, renditions)
    with transaction.atomic():
        branding = _locked_branding()
        old_keys = {name: branding.assets[name] for name in names if name in branding.assets}
        assets = {name: key for name, key in branding.assets.items() if name not in names}
        branding.assets = {**assets, **new_keys}
        branding.save(update_fields=["assets", "updated_at"])
        audit.record(
            f"branding.{kind}_{'replaced' if new_keys else 'removed'}",
            actor=actor,
            commune=commune,
            keys=sorted(new_keys.values()),
        )
        _after_change()
        obsolete = set(old_keys.values()) - set(new_keys.values())
        transaction.on_commit(lambda: _delete_quietly(store, obsolete))
    return branding


def _delete_quietly(store: AssetStore, keys: Iterable[str]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except Exception:  # a leftover file is harmless; a failed page is not
            logger.warning("could not delete replaced branding asset %s", key, exc_info=True)


def replace_logo(*, commune: Commune, actor: str, data: bytes) -> Branding:
    """Check and re-encode an uploaded coat of arms/logo, store its renditions and use them."""
    renditions = images.logo_renditions(data)
    return _replace_assets(commune=commune, actor=actor, kind="logo", names=LOGO_RENDITIONS, renditions=renditions)


def replace_header_image(*, commune: Commune, actor: str, data: bytes) -> Branding:
    """Check and re-encode an uploaded header image, store it and use it."""
    renditions = images.header_renditions(data)
    return _replace_assets(commune=commune, actor=actor, kind="header", names=HEADER_RENDITIONS, renditions=renditions)


def remove_header_image(*, commune: Commune, actor: str) -> Branding:
    """Stop showing the header image and delete its file after the commit."""
    return _replace_assets(commune=commune, actor=actor, kind="header", names=HEADER_RENDITIONS, renditions={})


def asset_path(key: str) -> str:
    """The path under which the application serves ``key`` on the commune's own host."""
    return f"/branding/assets/{key.rsplit('/', 1)[1]}"


def sender(commune: Commune | None) -> str:
    """The ``From`` of a mail to citizens: the commune's display name with the platform's address.

    E.g. ``Stadt Zeitz <noreply@kommunal.example>``; names beyond ASCII are RFC 2047 encoded.
    Without a commune, the platform's own ``DEFAULT_FROM_EMAIL``.
    """
    if commune is None:
        return settings.DEFAULT_FROM_EMAIL
    _platform_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((brand_name(commune), address))


def send_branded_mail(
    *,
    template: str,
    subject: str,
    to: list[str],
    commune: Commune,
    context: Mapping[str, Any] | None = None,
    from_email: str | None = None,
) -> int:
    """Send an e-mail in the commune's branding, as plain text and HTML.

    ``template`` names a pair ``<template>.txt`` / ``<template>.html`` that extend
    ``branding/email/base.txt`` / ``branding/email/base.html``. Call it inside the commune's
    schema (a request on its host, or ``tenant_context``). Returns the number of mails sent.
    """
    branding = current_branding()
    logo = branding.assets.get("logo_96")
    full_context = {
        "commune": commune,
        "branding": branding,
        "brand_name": brand_name(commune, branding),
        "portal_url": commune.portal_url,
        "logo_url": f"{commune.portal_url}{asset_path(logo)}" if logo else "",
        "subject": subject,
        **(context or {}),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", full_context),
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=[branding.contact_email] if branding.contact_email else None,
    )
    message.attach_alternative(render_to_string(f"{template}.html", full_context), "text/html")
    return message.send()
