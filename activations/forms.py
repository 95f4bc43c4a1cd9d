"""Forms of the commune admin's service pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from activations.models import Activation, PaymentMode
from activations.services import LocalSettings


class LocalSettingsForm(forms.Form):
    """What a commune sets for a service it offers."""

    fee = forms.DecimalField(label=_("Fee (EUR)"), required=False, min_value=0, max_digits=8, decimal_places=2)
    office_name = forms.CharField(label=_("Responsible office"), required=False, max_length=200)
    office_address = forms.CharField(
        label=_("Office address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=50)
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Additional notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    online_submission = forms.BooleanField(label=_("Online submission enabled"), required=False, initial=True)
    payment_mode = forms.ChoiceField(
        label=_("Online payment of the fee"), choices=PaymentMode.choices, initial=PaymentMode.NONE, required=False
    )

    @classmethod
    def for_activation(cls, activation: Activation, data: Mapping[str, Any] | None = None) -> LocalSettingsForm:
        initial = {name: getattr(activation, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def local_settings(self) -> LocalSettings:
        return LocalSettings(
            **{**self.cleaned_data, "payment_mode": self.cleaned_data["payment_mode"] or PaymentMode.NONE}
        )
