"""Which catalogue services a commune offers, pinned to a version, with local settings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivationsConfig(AppConfig):
    name = "activations"
    verbose_name = _("Activated services")
