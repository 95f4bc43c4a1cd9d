"""Catalogue API: read-only, on the platform host and on every commune's host."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from catalog import selectors
from catalog.api.serializers import ServiceDetailSerializer, ServiceSerializer
from catalog.models import Service
from kommunal.api.docs import problem_example
from kommunal.api.pagination import CursorPagination

NOT_FOUND = OpenApiResponse(
    description="No published service with this identifier (problem+json).",
    examples=[problem_example(404, "Not Found", "No Service matches the given query.", "not-found")],
)
SERVICE_EXAMPLE = OpenApiExample(
    "Residents' parking permit",
    value={
        "slug": "anwohnerparkausweis",
        "title_de": "Bewohnerparkausweis (Anwohnerparken)",
        "title_en": "Residents' parking permit",
        "summary_de": "Parkausweis für Bewohnerinnen und Bewohner einer Bewohnerparkzone beantragen.",
        "summary_en": "Apply for a parking permit for your residents' parking zone.",
        "category": "mobilitaet-reisen",
        "leika_key": "",
        "office_type": "Straßenverkehrsbehörde",
        "fee_model": "range",
        "is_emobility": False,
        "current_version": {
            "number": 1,
            "status": "published",
            "published_at": "2026-11-25T01:00:00Z",
            "min_fee": "10.00",
            "max_fee": "200.00",
            "default_fee": "30.70",
            "online_submission_allowed": True,
        },
    },
    response_only=True,
)
SERVICE_DETAIL_EXAMPLE = OpenApiExample(
    "Bulky waste collection",
    value={
        "slug": "sperrmuell",
        "title_de": "Sperrmüllabholung anmelden",
        "title_en": "Book a bulky waste collection",
        "summary_de": "Abholtermin für Sperrmüll beantragen.",
        "summary_en": "Request a collection date for bulky waste.",
        "category": "umwelt",
        "leika_key": "",
        "office_type": "Abfallwirtschaft",
        "fee_model": "by_statute",
        "is_emobility": False,
        "current_version": {
            "number": 1,
            "status": "published",
            "published_at": "2026-11-25T01:00:00Z",
            "min_fee": "0.00",
            "max_fee": None,
            "default_fee": None,
            "online_submission_allowed": True,
            "form_schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {
                    "nachname": {"type": "string", "title": "Nachname", "minLength": 1, "maxLength": 100},
                    "plz": {"type": "string", "title": "Postleitzahl", "pattern": "^[0-9]{5}$"},
                    "gegenstaende": {"type": "string", "title": "Gegenstände", "maxLength": 2000},
                    "volumen": {"type": "number", "title": "Geschätzte Menge in m³", "minimum": 0.5, "maximum": 5},
                },
                "required": ["nachname", "plz", "gegenstaende", "volumen"],
                "additionalProperties": False,
            },
            "ui_schema": {
                "gegenstaende": {"en": {"title": "Items"}, "ui:widget": "textarea"},
                "ui:order": ["nachname", "plz", "gegenstaende", "volumen"],
            },
            "changelog": "Erste Fassung / first version",
        },
        "description_de": "Haushalte können sperrige Gegenstände wie Möbel und Matratzen abholen lassen.",
        "description_en": "Households can have bulky items such as furniture and mattresses collected.",
    },
    response_only=True,
)


def _boolean_param(params: QueryDict, name: str) -> bool:
    """The boolean query parameter ``name`` (false when absent); 400 naming it when it is no boolean."""
    if name not in params:
        return False
    try:
        return bool(serializers.BooleanField().run_validation(params[name]))
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from exc


class CatalogPagination(CursorPagination):
    ordering = "slug"


@extend_schema(
    tags=["catalogue"],
    summary="List the services of the shared catalogue",
    description=(
        "Every service with at least one published version, ordered by identifier, with its newest "
        "published version. Filter by subject area with `category`, e-mobility services with `emobility=true`."
    ),
    parameters=[
        OpenApiParameter("category", str, description="OZG subject area, e.g. `mobilitaet-reisen`."),
        OpenApiParameter("emobility", bool, description="Only e-mobility services."),
    ],
    examples=[SERVICE_EXAMPLE],
)
class ServiceListView(generics.ListAPIView[Service]):
    serializer_class = ServiceSerializer
    permission_classes = [AllowAny]
    required_scopes = {"GET": "catalog:read"}
    pagination_class = CatalogPagination

    def get_queryset(self) -> QuerySet[Service]:
        services = selectors.published_services()
        category = self.request.query_params.get("category")
        if category:
            services = services.filter(category=category)
        if _boolean_param(self.request.query_params, "emobility"):
            services = services.filter(is_emobility=True)
        return services


@extend_schema(
    tags=["catalogue"],
    summary="A catalogue service with its current form",
    description=(
        "The service with descriptions and its newest published version, including the request form "
        "as JSON Schema (Draft 2020-12) and UI hints. Communes may still run an older version; their "
        "activations name the version they run."
    ),
    responses={200: ServiceDetailSerializer, 404: NOT_FOUND},
    examples=[SERVICE_DETAIL_EXAMPLE],
)
class ServiceDetailView(generics.RetrieveAPIView[Service]):
    serializer_class = ServiceDetailSerializer
    permission_classes = [AllowAny]
    required_scopes = {"GET": "catalog:read"}
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Service]:
        return selectors.published_services()
