"""Forms of the integrations page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.events import EVENTS
from kommunal.api.scopes import SCOPES


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the key is for, e.g. the connected system.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Permissions"), choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=3650, required=False, help_text=_("Empty: no expiry.")
    )


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
