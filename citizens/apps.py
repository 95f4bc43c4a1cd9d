"""Citizen accounts of a commune: login with the state's citizen account (OpenID Connect), "Meine
Anträge" and the mailbox (Postfach)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("Citizen accounts")
