"""Accounts API on a commune's host."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics

from accounts import selectors
from accounts.api.serializers import UserOutputSerializer
from accounts.permissions import IsCommuneAdmin


@extend_schema(
    tags=["users"],
    summary="List the commune's accounts",
    description="Administrators and staff of this commune. Only the commune's administrators may list them.",
    examples=[
        OpenApiExample(
            "An administrator",
            value={
                "id": 1,
                "email": "admin@zeitz.example",
                "full_name": "Katrin Wagner",
                "role": "admin",
                "is_active": True,
                "last_login": "2026-11-24T08:15:00+01:00",
                "date_joined": "2026-10-01T10:00:00+02:00",
            },
        )
    ],
)
class UserListView(generics.ListAPIView):
    serializer_class = UserOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"GET": "users:read"}

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.commune_users()
