"""Forms of the commune admin's service pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from activations import texts as service_texts
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


class ServiceTextsForm(forms.Form):
    """The commune's own texts of a service, one group of fields per language the portal offers.

    Field names are ``<language>-<text>``; an empty field shows the catalogue's text in the portal.
    """

    def __init__(self, languages: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code, _name in languages:
            for name, limit in service_texts.fields_of(code).items():
                short = limit <= service_texts.FIELDS["summary"]
                self.fields[f"{code}-{name}"] = forms.CharField(
                    label=service_texts.LABELS[name],
                    required=False,
                    max_length=limit,
                    widget=forms.TextInput(attrs={"lang": code})
                    if short
                    else forms.Textarea(attrs={"rows": 4, "lang": code}),
                )

    @classmethod
    def for_activation(
        cls, activation: Activation, languages: list[tuple[str, str]], data: Mapping[str, Any] | None = None
    ) -> ServiceTextsForm:
        """The form filled with what the commune entered so far."""
        initial = {
            f"{code}-{name}": value for code, entries in activation.texts.items() for name, value in entries.items()
        }
        return cls(languages, data, initial=initial)

    def groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(code, language name, bound fields) per language, for the template's fieldsets."""
        return [
            (code, name, [self[field] for field in self.fields if field.startswith(f"{code}-")])
            for code, name in self.languages
        ]

    def texts(self) -> dict[str, dict[str, str]]:
        """The entered texts of every language of the form (empty ones included: they clear a text)."""
        texts: dict[str, dict[str, str]] = {}
        for field, value in self.cleaned_data.items():
            code, name = field.split("-", 1)
            texts.setdefault(code, {})[name] = value
        return texts
