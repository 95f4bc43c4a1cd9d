"""The citizen portal of a commune, served on the commune's own host."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Citizen portal")

    def ready(self) -> None:
        from portal import signals  # noqa: F401  (connects the page cache's invalidation)
