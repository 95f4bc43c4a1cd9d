"""Serializers of the integrations API."""

from __future__ import annotations

from rest_framework import serializers

from integrations.events import EVENTS
from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from kommunal.api.scopes import SCOPES
from kommunal.api.serializers import StrictBooleanField


class ApiKeyOutputSerializer(serializers.ModelSerializer[ApiKey]):
    """An API key without its secret: the prefix identifies it."""

    created_by = serializers.EmailField(source="created_by.email", read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeyOutputSerializer):
    """A new API key with its secret, which is shown this one time only."""

    secret = serializers.CharField(read_only=True, help_text="The key to send as 'Authorization: Bearer <secret>'.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class ApiKeyInputSerializer(serializers.Serializer[ApiKey]):
    name = serializers.CharField(max_length=100, trim_whitespace=False, help_text="What the key is for.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)),
        allow_empty=False,
        min_length=1,
        help_text="What the key may do.",
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        allow_null=True,
        help_text="Days until the key expires; none: never.",
    )


class WebhookSubscriptionOutputSerializer(serializers.ModelSerializer[WebhookSubscription]):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "description", "is_active", "created_at"]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionOutputSerializer):
    """A new subscription with its signing secret, shown this one time only."""

    secret = serializers.CharField(read_only=True, help_text="Verifies the Kommunal-Signature header.")

    class Meta(WebhookSubscriptionOutputSerializer.Meta):
        fields = [*WebhookSubscriptionOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionInputSerializer(serializers.Serializer[WebhookSubscription]):
    url = serializers.URLField(max_length=500, help_text="Where events are POSTed (https).")
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENTS)), allow_empty=False, min_length=1)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, trim_whitespace=False)
    is_active = StrictBooleanField(required=False)


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields
