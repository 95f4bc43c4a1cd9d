"""Forms of the branding settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from branding import images
from branding.colors import HEX_COLOR
from branding.models import Branding
from branding.services import TEXT_FIELDS, check_colors


def _https_by_default(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ColorInput(forms.TextInput):
    """A ``#rrggbb`` text field paired with a colour picker (``<input type=color>``).

    The text field is what is submitted and validated; the picker has no name and is shown and
    kept in step by ``branding/colors.js``, which also updates the live preview.
    """

    template_name = "branding/widgets/color.html"

    def __init__(self, role: str, placeholder: str) -> None:
        super().__init__(attrs={"pattern": "#[0-9a-fA-F]{6}", "placeholder": placeholder, "data-color-role": role})
        self.picker_label = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["picker_label"] = self.picker_label
        context["picker_value"] = value if isinstance(value, str) and HEX_COLOR.match(value) else ""
        return context


class BrandingForm(forms.ModelForm):
    """Name, colours, contact and legal links; images are uploaded separately."""

    class Meta:
        model = Branding
        formfield_callback = _https_by_default
        fields = list(TEXT_FIELDS)
        widgets = {
            "primary_color": ColorInput("primary", "#0b4f8a"),
            "accent_color": ColorInput("accent", "#1d6f42"),
            "contact": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("primary_color", "accent_color"):
            field = self.fields[name]
            field.widget.picker_label = _("%(label)s: colour picker") % {"label": capfirst(field.label)}  # type: ignore[attr-defined]

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

    kind = forms.ChoiceField(
        label=_("Type of image"), choices=[("logo", _("Coat of arms / logo")), ("header", _("Header image"))]
    )
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
