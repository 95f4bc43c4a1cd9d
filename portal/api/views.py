"""Portal API on a commune's host."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api.serializers import COMMUNE_EXAMPLE, CommuneOutputSerializer


class CommuneProfileView(APIView):
    permission_classes = [AllowAny]
    required_scopes = {"GET": "commune:read"}

    @extend_schema(
        tags=["commune"],
        summary="The commune of this host",
        description="Name, AGS, kind, Land and district of the commune that answers at this host.",
        responses=CommuneOutputSerializer,
        examples=[OpenApiExample("Zeitz", value=COMMUNE_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        return Response(CommuneOutputSerializer(request.commune).data)  # type: ignore[attr-defined]
