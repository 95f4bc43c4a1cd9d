"""Serializers of the citizen requests API."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citizen_requests.models import Attachment, CitizenRequest, Status, StatusChange
from kommunal.api.serializers import StrictFieldsMixin


@extend_schema_field({"type": "object", "additionalProperties": True})
class FormDataField(serializers.JSONField):
    """Form data: a JSON object (the form's JSON Schema checks its members)."""


class SubmitSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    """A new request: the service, the citizen's e-mail address and the form data."""

    service = serializers.SlugField(help_text="Identifier of a service this commune offers.")
    email = serializers.EmailField(help_text="Where the confirmation and status changes are sent.")
    # The API names the form data "data", which shadows Serializer.data (unused on this input serializer).
    data = FormDataField(help_text="The form data (an object), valid against the service's `form_schema`.")  # type: ignore[assignment]


class ReceiptSerializer(serializers.ModelSerializer[CitizenRequest]):
    """What the citizen gets back: the tracking number, nothing of the submitted data."""

    service = serializers.CharField(source="service.slug")

    class Meta:
        model = CitizenRequest
        fields = ["tracking_number", "service", "status", "submitted_at"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer[StatusChange]):
    from_status = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, read_only=True, help_text="Empty for the submission itself."
    )

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "actor", "comment", "at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    """A file attached to the request; ``download`` streams it (scope ``requests:read``)."""

    download = serializers.SerializerMethodField(help_text="URL of the file (Content-Disposition: attachment).")

    class Meta:
        model = Attachment
        fields = ["id", "field", "name", "media_type", "size", "sha256", "virus_scanned", "download"]
        read_only_fields = fields

    def get_download(self, attachment: Attachment) -> str:
        return reverse(
            "requests-api:request-attachment",
            kwargs={"tracking_number": attachment.request.tracking_number, "attachment_id": attachment.id},
        )


class RequestSerializer(serializers.ModelSerializer[CitizenRequest]):
    """A request as staff see it in lists."""

    service = serializers.CharField(source="service.slug")
    version = serializers.IntegerField(source="version.number", help_text="Form version it was validated against.")

    class Meta:
        model = CitizenRequest
        fields = [
            "tracking_number",
            "service",
            "version",
            "email",
            "status",
            "payment_status",
            "fee",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields


class RequestDetailSerializer(RequestSerializer):
    """A request with its data and history."""

    changes = StatusChangeSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "data", "changes", "attachments"]
        read_only_fields = fields


class StatusUpdateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    """A status change with a comment for the citizen."""

    status = serializers.ChoiceField(choices=Status.choices)
    comment = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
