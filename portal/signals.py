"""Cached portal pages go stale whenever what they show changes (see portal.page_cache)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import page_cache


@receiver(post_save, sender="activations.Activation", dispatch_uid="portal.activation_saved")
@receiver(post_delete, sender="activations.Activation", dispatch_uid="portal.activation_deleted")
@receiver(post_save, sender="branding.Branding", dispatch_uid="portal.branding_saved")
@receiver(post_delete, sender="branding.Branding", dispatch_uid="portal.branding_deleted")
def commune_content_changed(sender: Any, **kwargs: Any) -> None:
    """An activation or the branding of the current schema's commune changed."""
    page_cache.forget_current_schema_pages()


@receiver(post_save, sender="tenants.Commune", dispatch_uid="portal.commune_saved")
def commune_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The registry entry (its name, shown on every page) changed."""
    page_cache.forget_pages_of(instance.schema_name)


@receiver(post_save, sender="catalog.Service", dispatch_uid="portal.service_saved")
@receiver(post_delete, sender="catalog.Service", dispatch_uid="portal.service_deleted")
@receiver(post_save, sender="catalog.ServiceVersion", dispatch_uid="portal.version_saved")
@receiver(post_delete, sender="catalog.ServiceVersion", dispatch_uid="portal.version_deleted")
def catalog_changed(sender: Any, **kwargs: Any) -> None:
    """A shared service or one of its versions changed: every commune may show it."""
    page_cache.forget_catalog_pages()
