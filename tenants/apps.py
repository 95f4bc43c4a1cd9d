"""The registry of communes: tenants, their hosts and the official municipality directory."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Communes")

    def ready(self) -> None:
        from tenants import placement, signals  # noqa: F401  (connects the migration-state receiver)

        if len(placement.aliases()) > 1:
            placement.install_atomic_follower()
        placement.connect_mirror_signals()
