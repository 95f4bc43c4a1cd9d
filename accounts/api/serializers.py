"""Serializers of the accounts API."""

from rest_framework import serializers

from accounts.models import User


class UserOutputSerializer(serializers.ModelSerializer[User]):
    """An account of the commune, as its administrators see it."""

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "is_active", "last_login", "date_joined"]
        read_only_fields = fields
