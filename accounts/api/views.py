"""Accounts API on a commune's host."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts import selectors
from accounts.api.serializers import UserOutputSerializer
from accounts.permissions import IsCommuneAdmin


@extend_schema(
    tags=["users"],
    summary="List the commune's accounts",
    description="Administrators and staff of this commune. Only the commune's administrators may list them.",
)
class UserListView(generics.ListAPIView):
    serializer_class = UserOutputSerializer
    permission_classes = [IsCommuneAdmin]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.commune_users()
