"""Requests citizens submit through the portal or the API, and the staff inbox that handles them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenRequestsConfig(AppConfig):
    name = "citizen_requests"
    verbose_name = _("Citizen requests")
