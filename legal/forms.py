"""The accessibility feedback form and the editor of a legal page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Which barrier did you find?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    page = forms.CharField(label=_("On which page (address or title)?"), max_length=500, required=False)
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your e-mail address for an answer (optional)"), required=False)


class LegalTextForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        max_length=50_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Plain text; an empty line starts a new paragraph. Leave empty to use the platform's default."),
    )
