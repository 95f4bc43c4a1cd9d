"""Serializers of the activations API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activations import texts
from activations.models import Activation, PaymentMode
from activations.services import LocalSettings
from kommunal.api.serializers import StrictBooleanField, StrictFieldsMixin, optional_email

SETTINGS_FIELDS = [
    "fee",
    "office_name",
    "office_address",
    "contact_email",
    "contact_phone",
    "opening_hours",
    "notes",
    "online_submission",
    "payment_mode",
]


TEXTS_HELP = (
    "The commune's own wording of the service, by language and text (`leichte_sprache` under `de` "
    "only). Where a text is missing, the portal shows the catalogue's text (in Sorbian first the "
    "commune's German text)."
)


def _language_schema(language: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            name: {"type": "string", "maxLength": limit} for name, limit in texts.fields_of(language).items()
        },
        "additionalProperties": False,
    }


@extend_schema_field(
    {
        "type": "object",
        "properties": {language: _language_schema(language) for language in texts.LANGUAGES},
        "additionalProperties": False,
    }
)
class TextsField(serializers.JSONField):
    """Texts by language, each a map of text name to text; checked by ``activations.texts.clean_texts``."""


class ActivationSerializer(serializers.ModelSerializer[Activation]):
    """A service this commune offers (or offered), the version it runs and its local settings."""

    service = serializers.CharField(source="service.slug", help_text="Identifier of the catalogue service.")
    title = serializers.CharField(source="service.title")
    version = serializers.IntegerField(source="version.number", help_text="Catalogue version the commune runs.")
    contact_email = optional_email(help_text="Empty when none was given.")
    texts = TextsField(read_only=True, help_text=TEXTS_HELP)

    class Meta:
        model = Activation
        fields = ["service", "title", "version", "is_active", *SETTINGS_FIELDS, "texts", "activated_at", "updated_at"]
        read_only_fields = fields


class LocalSettingsSerializer(StrictFieldsMixin, serializers.Serializer[LocalSettings]):
    """Local settings; on PATCH only the fields given change."""

    fee = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, allow_null=True, required=False)
    office_name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    office_address = serializers.CharField(max_length=500, allow_blank=True, required=False)
    contact_email = serializers.EmailField(allow_blank=True, required=False)
    contact_phone = serializers.CharField(max_length=50, allow_blank=True, required=False)
    opening_hours = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    online_submission = StrictBooleanField(required=False)
    payment_mode = serializers.ChoiceField(choices=PaymentMode.choices, required=False)


class ActivateSerializer(LocalSettingsSerializer):
    """Activate a catalogue service with local settings."""

    service = serializers.SlugField(help_text="Identifier of the catalogue service, e.g. `sperrmuell`.")


class TextsSerializer(StrictFieldsMixin, serializers.Serializer[dict[str, object]]):
    """Replace the commune's own texts of the service, all languages at once."""

    texts = TextsField(help_text=TEXTS_HELP + " An empty object returns every text to the catalogue's.")
