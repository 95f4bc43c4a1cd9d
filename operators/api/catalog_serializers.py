"""Serializers of the operator API's catalogue management."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from catalog.models import Service, ServiceVersion


class CatalogVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceVersion
        fields = [
            "number",
            "status",
            "form_schema",
            "ui_schema",
            "default_fee",
            "min_fee",
            "max_fee",
            "online_submission_allowed",
            "changelog",
            "created_at",
            "published_at",
            "retired_at",
        ]


class CatalogServiceSerializer(serializers.ModelSerializer):
    active_communes = serializers.IntegerField(
        read_only=True, help_text="Communes running the service, as of the last `refresh_tenant_stats`."
    )
    versions = CatalogVersionSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta:
        model = Service
        fields = ["slug", "title_de", "title_en", "category", "fee_model", "active_communes", "versions"]


class DraftVersionSerializer(serializers.Serializer):
    """Input of a new draft version; schema and fee rules are checked by ``catalog.services``."""

    form_schema = serializers.JSONField(help_text="JSON Schema (Draft 2020-12) of an object with properties.")
    ui_schema = serializers.JSONField(required=False, default=dict, help_text="UI hints of the form fields.")
    min_fee = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, default=Decimal("0.00")
    )
    max_fee = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True)
    default_fee = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True)
    online_submission_allowed = serializers.BooleanField(required=False, default=True)
    changelog = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
