"""Serializers of the catalogue API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Service, ServiceVersion


class VersionSummarySerializer(serializers.ModelSerializer[ServiceVersion]):
    """A published version without its form."""

    class Meta:
        model = ServiceVersion
        fields = ["number", "status", "published_at", "min_fee", "max_fee", "default_fee", "online_submission_allowed"]
        read_only_fields = fields


class VersionSerializer(VersionSummarySerializer):
    """A published version with its form (JSON Schema) and UI hints."""

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "form_schema", "ui_schema", "changelog"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer[Service]):
    """A catalogue service with its newest published version."""

    current_version = serializers.SerializerMethodField(help_text="The newest published version.")

    class Meta:
        model = Service
        fields = [
            "slug",
            "title_de",
            "title_en",
            "summary_de",
            "summary_en",
            "category",
            "leika_key",
            "office_type",
            "fee_model",
            "is_emobility",
            "current_version",
        ]
        read_only_fields = fields

    version_serializer: type[VersionSummarySerializer] = VersionSummarySerializer

    @extend_schema_field(VersionSummarySerializer)
    def get_current_version(self, service: Service) -> dict[str, Any]:
        # published_versions is prefetched by catalog.selectors.published_services().
        versions = service.published_versions  # type: ignore[attr-defined]
        return self.version_serializer(versions[0]).data


class ServiceDetailSerializer(ServiceSerializer):
    """A catalogue service with descriptions and the form of its newest published version."""

    version_serializer = VersionSerializer

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "description_de", "description_en", "leichte_sprache"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer)
    def get_current_version(self, service: Service) -> dict[str, Any]:
        return super().get_current_version(service)
