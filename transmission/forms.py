"""The commune admin's choice of delivery route for one activated service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from transmission.models import Route, ServiceRoute


class RouteForm(forms.Form):
    route = forms.ChoiceField(label=_("Delivery route"), choices=Route.choices, widget=forms.RadioSelect)
    destination_id = forms.CharField(
        label=_("FIT-Connect destination id"),
        required=False,
        max_length=64,
        help_text=_(
            "The Zustellpunkt of your office's specialist procedure, e.g. from the FIT-Connect self-service portal."
        ),
    )
    office_email = forms.EmailField(
        label=_("Office e-mail address"),
        required=False,
        help_text=_("Receives each request as PDF and JSON attachment."),
    )

    @classmethod
    def for_route(cls, setting: ServiceRoute, data: Mapping[str, Any] | None = None) -> RouteForm:
        initial = {
            "route": setting.route,
            "destination_id": setting.destination_id,
            "office_email": setting.office_email,
        }
        return cls(data, initial=initial, prefix="route")
