"""Serializers of the onboarding API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kommunal.api.serializers import StrictBooleanField, optional_email
from signup.leitweg import validate_leitweg_id
from signup.models import Application
from signup.provisioning import STEP_LABELS
from tenants.models import Municipality


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    """A directory entry and whether a commune or an open application already holds it."""

    name = serializers.CharField(source="short_name")
    official_name = serializers.CharField(source="name")
    district = serializers.CharField(source="kreis")
    taken = serializers.BooleanField(help_text="True when the commune uses Kommunal or has an open application.")

    class Meta:
        model = Municipality
        fields = ["ags", "name", "official_name", "district", "land", "taken"]
        read_only_fields = fields


class _DetailsSerializer(serializers.Serializer[Any]):
    services = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        max_length=100,
        help_text="Slugs of published catalogue services.",
    )
    applicant_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    invoice_recipient = serializers.CharField(max_length=200, required=False, allow_blank=True)
    invoice_street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    invoice_postcode = serializers.RegexField(r"^\d{5}$", required=False, allow_blank=True)
    invoice_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    invoice_email = serializers.EmailField(required=False, allow_blank=True)
    leitweg_id = serializers.CharField(
        max_length=46,
        required=False,
        allow_blank=True,
        validators=[validate_leitweg_id],
        help_text="Leitweg-ID for XRechnung, e.g. `04011000-1234512345-06` (check digits verified).",
    )


@extend_schema_field({"type": "boolean", "enum": [True]})
class AcceptanceField(StrictBooleanField):
    """A consent that must be given: the document allows only ``true`` (``false`` is a 400 naming it)."""


class SignupCreateSerializer(_DetailsSerializer):
    """A new application; services and billing contact may follow with PATCH before verification."""

    ags = serializers.RegexField(r"^\d{8}$", help_text="Amtlicher Gemeindeschlüssel of the commune.")
    applicant_name = serializers.CharField(max_length=200)
    applicant_role = serializers.CharField(max_length=200)
    applicant_email = serializers.EmailField(help_text="Official address; the verification link goes there.")
    accept_terms = AcceptanceField(help_text="Acceptance of the terms of use (current version).")
    accept_dpa = AcceptanceField(help_text="Acceptance of the data processing agreement (Art. 28 GDPR).")


class SignupUpdateSerializer(_DetailsSerializer):
    """Fields that may change until the e-mail address is verified."""

    applicant_name = serializers.CharField(max_length=200, required=False)
    applicant_role = serializers.CharField(max_length=200, required=False)


class StepSerializer(serializers.Serializer[Any]):
    """One provisioning step and whether it is done."""

    name = serializers.CharField()
    title = serializers.CharField(help_text="What the status page calls the step, in the request's language.")
    done = serializers.BooleanField()


class SignupSerializer(serializers.ModelSerializer[Application]):
    """An application as its applicant (who holds the unguessable id) sees it."""

    email_verified = serializers.BooleanField(source="is_verified")
    steps = serializers.SerializerMethodField()
    portal_url = serializers.SerializerMethodField()
    invoice_email = optional_email(help_text="Empty until the applicant gives one.")

    class Meta:
        model = Application
        fields = [
            "id",
            "ags",
            "commune_name",
            "status",
            "email_verified",
            "applicant_name",
            "applicant_role",
            "services",
            "invoice_recipient",
            "invoice_street",
            "invoice_postcode",
            "invoice_city",
            "invoice_email",
            "leitweg_id",
            "terms_version",
            "dpa_version",
            "rejection_reason",
            "steps",
            "portal_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, application: Application) -> list[dict[str, Any]]:
        return [
            {"name": name, "title": str(label), "done": name in application.steps_done}
            for name, label in STEP_LABELS.items()
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_portal_url(self, application: Application) -> str | None:
        if application.status == Application.Status.ACTIVE and application.commune is not None:
            return application.commune.portal_url
        return None


class RejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, help_text="Sent to the applicant.")
