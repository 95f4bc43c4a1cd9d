"""Billing of communes for the services they activate."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from activations.signals import service_activated, service_deactivated
        from billing.receivers import activation_changed, commune_offboarded
        from operators.signals import commune_offboarded as offboarded

        service_activated.connect(activation_changed, dispatch_uid="billing.activation_changed.on")
        service_deactivated.connect(activation_changed, dispatch_uid="billing.activation_changed.off")
        offboarded.connect(commune_offboarded, dispatch_uid="billing.commune_offboarded")
