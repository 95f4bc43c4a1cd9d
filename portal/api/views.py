"""Portal API on a commune's host."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from activations.models import Activation
from catalog.api.views import SERVICE_DETAIL_EXAMPLE
from citizen_requests import selectors
from kommunal.api.pagination import CursorPagination
from portal.api.serializers import OfferedServiceDetailSerializer, OfferedServiceSerializer
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


class OfferedServicePagination(CursorPagination):
    ordering = "id"


OFFERED_EXAMPLE = {
    "slug": "sperrmuell",
    "title_de": "Sperrmüllabholung anmelden",
    "title_en": "Book a bulky waste collection",
    "summary_de": "Abholtermin für Sperrmüll beantragen.",
    "summary_en": "Request a collection date for bulky waste.",
    "category": "umwelt",
    "is_emobility": False,
    "version": 1,
    "fee": None,
    "office_name": "Abfallwirtschaft",
    "contact_email": "",
    "contact_phone": "",
    "opening_hours": "",
    "notes": "",
    "online_submission": True,
    "texts": {"de": {"title": "Sperrmüll abholen lassen"}},
}


@extend_schema(
    tags=["portal"],
    summary="Services this commune offers",
    description=(
        "The commune's active services with local fee, office, contact and opening hours, and the "
        "catalogue version it runs. Deactivated services are not listed."
    ),
    examples=[
        OpenApiExample(
            "Bulky waste",
            value=OFFERED_EXAMPLE,
            response_only=True,
        )
    ],
)
class OfferedServiceListView(generics.ListAPIView[Activation]):
    serializer_class = OfferedServiceSerializer
    permission_classes = [AllowAny]
    required_scopes = {"GET": "catalog:read"}
    pagination_class = OfferedServicePagination

    def get_queryset(self) -> QuerySet[Activation]:
        return selectors.active_activations()


@extend_schema(
    tags=["portal"],
    summary="An offered service with the form this commune runs",
    description=(
        "Like the list entry, plus `form`: the JSON Schema and UI hints of the version this commune "
        "runs. `POST /api/v1/requests/` validates `data` against exactly this schema."
    ),
    responses={
        200: OfferedServiceDetailSerializer,
        404: OpenApiResponse(description="The commune does not offer this service (or no longer does)."),
    },
    examples=[
        OpenApiExample(
            "Bulky waste",
            value={**OFFERED_EXAMPLE, "form": SERVICE_DETAIL_EXAMPLE.value["current_version"]},
            response_only=True,
        )
    ],
)
class OfferedServiceDetailView(generics.RetrieveAPIView[Activation]):
    serializer_class = OfferedServiceDetailSerializer
    permission_classes = [AllowAny]
    required_scopes = {"GET": "catalog:read"}
    lookup_field = "service__slug"
    lookup_url_kwarg = "slug"

    def get_queryset(self) -> QuerySet[Activation]:
        return selectors.active_activations()
