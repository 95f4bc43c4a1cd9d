"""Forms of the branding settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from branding import images
from branding.models import Branding
from branding.services import TEXT_FIELDS, check_colors


def _https_by_default(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class BrandingForm(forms.ModelForm):
    """Name, colours, contact and legal links; images are uploaded separately."""

    class Meta:
        model = Branding
        formfield_callback = _https_by_default
        fields = list(TEXT_FIELDS)
        widgets = {
            "primary_color": forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "placeholder": "#0b4f8a"}),
            "accent_color": forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "placeholder": "#1d6f42"}),
            "contact": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_primary_color(self) -> str:
        return str(self.cleaned_data["primary_color"]).strip().lower()

    def clean_accent_color(self) -> str:
        return str(self.cleaned_data["accent_color"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            check_colors({k: v for k, v in cleaned.items() if k.endswith("_color") and v})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


MAX_FILE_NAME_LENGTH = 200


class ImageUploadForm(forms.Form):
    """One image: the logo (coat of arms) or the header image."""

    kind = forms.ChoiceField(choices=[("logo", _("Coat of arms / logo")), ("header", _("Header image"))])
    image = forms.FileField(
        label=_("Image file"),
        max_length=MAX_FILE_NAME_LENGTH,
        help_text=_("PNG, JPEG or WebP; at most 2 MB and 4096 x 4096 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean_image(self) -> bytes:
        """The upload's bytes once they are a PNG, JPEG or WebP within the limits."""
        data = images.read_upload(self.cleaned_data["image"])
        images.open_checked(data)
        return data


class DomainForm(forms.Form):
    """A custom host name to add."""

    host = forms.CharField(label=_("Host name"), max_length=253, help_text=_("For example service.zeitz.de"))
