"""Commune registry API on the platform host."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from tenants import selectors
from tenants.api.serializers import COMMUNE_EXAMPLE, CommuneOutputSerializer


@extend_schema(
    tags=["communes"],
    summary="List the communes that use Kommunal",
    description="Active communes with the base URL of their portal and API. Filter by Land with `land`.",
    parameters=[OpenApiParameter("land", str, description="Only communes of this Land, e.g. `Sachsen`.")],
    examples=[OpenApiExample("Zeitz", value=COMMUNE_EXAMPLE)],
)
class CommuneListView(generics.ListAPIView):
    serializer_class = CommuneOutputSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        communes = selectors.active_communes()
        land = self.request.query_params.get("land")
        return communes.filter(land=land) if land else communes
