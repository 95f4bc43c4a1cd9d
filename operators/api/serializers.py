"""Serializers of the operator API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audit.models import AuditEvent
from tenants.models import Commune


class TenantSerializer(serializers.ModelSerializer):
    active_services = serializers.IntegerField(source="stats.active_services", default=None, allow_null=True)
    open_requests = serializers.IntegerField(source="stats.open_requests", default=None, allow_null=True)
    last_activity_at = serializers.DateTimeField(source="stats.last_activity_at", default=None, allow_null=True)
    migration_current = serializers.BooleanField(help_text="Whether the schema has every migration of the code.")
    portal_url = serializers.CharField()

    class Meta:
        model = Commune
        fields = [
            "slug",
            "name",
            "ags",
            "land",
            "landkreis",
            "kind",
            "status",
            "status_changed_at",
            "suspension_reason",
            "schema_name",
            "portal_url",
            "migration_current",
            "migrated_at",
            "active_services",
            "open_requests",
            "last_activity_at",
        ]


class TenantDetailSerializer(TenantSerializer):
    domains = serializers.SerializerMethodField()

    class Meta(TenantSerializer.Meta):
        fields = [*TenantSerializer.Meta.fields, "domains"]

    def get_domains(self, commune: Commune) -> list[dict[str, Any]]:
        return [
            {"domain": d.domain, "is_primary": d.is_primary, "verified": d.verified_at is not None}
            for d in commune.domains.order_by("-is_primary", "domain")
        ]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why; stored in the audit log.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MigrationResultSerializer(serializers.Serializer):
    slug = serializers.CharField()
    migration_state = serializers.CharField()
    migration_current = serializers.BooleanField()


class OffboardResultSerializer(serializers.Serializer):
    slug = serializers.CharField()
    status = serializers.CharField()
    export_path = serializers.CharField()
    export_sha256 = serializers.CharField()


class AuditEventSerializer(serializers.ModelSerializer):
    commune: serializers.SlugRelatedField[Commune] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The commune's slug; null for platform events."
    )

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "commune", "actor", "action", "target", "data"]


class ServiceRevenueSerializer(serializers.Serializer):
    service = serializers.CharField(help_text="Catalogue service identifier.")
    title = serializers.CharField()
    mrr_cents = serializers.IntegerField(help_text="Monthly recurring revenue, net euro cents.")


class LandRevenueSerializer(serializers.Serializer):
    land = serializers.CharField()
    mrr_cents = serializers.IntegerField(help_text="Monthly recurring revenue, net euro cents.")


class BillingFiguresSerializer(serializers.Serializer):
    mrr_cents = serializers.IntegerField(help_text="Monthly recurring revenue (yearly prices count a twelfth).")
    mrr_by_service = ServiceRevenueSerializer(many=True)
    mrr_by_land = LandRevenueSerializer(many=True)
    open_cents = serializers.IntegerField(help_text="Still to be paid on open and uncollectible invoices.")
    open_invoices = serializers.IntegerField()
    overdue_cents = serializers.IntegerField(help_text="The part of open_cents past its due date.")
    overdue_invoices = serializers.IntegerField()
