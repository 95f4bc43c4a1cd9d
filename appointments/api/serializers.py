"""Serializers of the appointments API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from appointments.models import Booking
from kommunal.api.serializers import StrictFieldsMixin


class SlotQuerySerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    service = serializers.SlugField(help_text="Identifier of a service the commune offers with appointments.")
    date_from = serializers.DateField(required=False, help_text="First local day (Europe/Berlin); default today.")
    date_to = serializers.DateField(required=False, help_text="Last local day; default the end of the booking horizon.")


class SlotSerializer(serializers.Serializer[Any]):
    """A free slot. Times are UTC; opening hours are kept in Europe/Berlin."""

    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    resource = serializers.IntegerField(source="resource_id", help_text="The counter that is free at this time.")


class BookSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    service = serializers.SlugField(help_text="Identifier of the service.")
    starts_at = serializers.DateTimeField(help_text="Start of a free slot, as listed by `GET /appointments/slots/`.")
    email = serializers.EmailField(help_text="Where the confirmation (with an .ics file) and the reminder go.")
    tracking_number = serializers.CharField(
        required=False, max_length=20, help_text="The request this appointment belongs to (optional)."
    )


class BookingSerializer(serializers.ModelSerializer[Booking]):
    service = serializers.CharField(source="settings.activation.service.slug")
    resource = serializers.IntegerField(source="resource_id")

    class Meta:
        model = Booking
        fields = ["id", "service", "resource", "starts_at", "ends_at", "status"]
        read_only_fields = fields


class StaffBookingSerializer(BookingSerializer):
    """A booking as the commune's staff see it."""

    tracking_number = serializers.CharField(source="request.tracking_number", allow_null=True, default=None)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "email", "tracking_number", "created_at"]
        read_only_fields = fields
