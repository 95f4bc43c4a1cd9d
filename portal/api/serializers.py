"""Serializers of the portal API: what a commune offers, as citizens' apps need it."""

from __future__ import annotations

from rest_framework import serializers

from activations.api.serializers import TEXTS_HELP, TextsField
from activations.models import Activation
from catalog.api.serializers import VersionSerializer
from kommunal.api.serializers import optional_email


class OfferedServiceSerializer(serializers.ModelSerializer[Activation]):
    """A service this commune offers, with its local settings."""

    slug = serializers.CharField(source="service.slug")
    title_de = serializers.CharField(source="service.title_de")
    title_en = serializers.CharField(source="service.title_en")
    summary_de = serializers.CharField(source="service.summary_de")
    summary_en = serializers.CharField(source="service.summary_en")
    category = serializers.CharField(source="service.category")
    is_emobility = serializers.BooleanField(source="service.is_emobility")
    version = serializers.IntegerField(source="version.number", help_text="The catalogue version this commune runs.")
    contact_email = optional_email(help_text="Empty when none was given.")
    texts = TextsField(read_only=True, help_text=TEXTS_HELP)

    class Meta:
        model = Activation
        fields = [
            "slug",
            "title_de",
            "title_en",
            "summary_de",
            "summary_en",
            "category",
            "is_emobility",
            "version",
            "fee",
            "office_name",
            "contact_email",
            "contact_phone",
            "opening_hours",
            "notes",
            "online_submission",
            "texts",
        ]
        read_only_fields = fields


class OfferedServiceDetailSerializer(OfferedServiceSerializer):
    """An offered service with the form of the version this commune runs (validate requests against it)."""

    form = VersionSerializer(source="version", read_only=True)

    class Meta(OfferedServiceSerializer.Meta):
        fields = [*OfferedServiceSerializer.Meta.fields, "form"]
        read_only_fields = fields
