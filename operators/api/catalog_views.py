"""Operator API for the shared catalogue: list services, draft, publish and retire versions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import services as catalog
from catalog.models import Service, ServiceVersion
from kommunal.api.pagination import CursorPagination
from operators import roles, selectors
from operators.api.authentication import OperatorTokenAuthentication
from operators.api.catalog_serializers import (
    CatalogServiceSerializer,
    CatalogVersionSerializer,
    DraftVersionSerializer,
)
from operators.api.permissions import IsOperatorOperator, IsOperatorViewer

AUTH_ERRORS = {
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="No, an unknown, expired or revoked operator token."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="The token's operator role does not allow this."),
}
SERVICE_NOT_FOUND = {
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No catalogue service with this identifier.")
}
VERSION_NOT_FOUND = {
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such service, or it has no version with this number.")
}
SPERRMUELL_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["name", "strasse", "gegenstaende"],
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 2},
        "strasse": {"type": "string", "title": "Straße und Hausnummer"},
        "gegenstaende": {"type": "string", "title": "Gegenstände (z. B. Sofa, Schrank)", "maxLength": 1000},
        "wunschtermin": {"type": "string", "format": "date", "title": "Wunschtermin"},
    },
    "additionalProperties": False,
}
SPERRMUELL_UI = {"gegenstaende": {"ui:widget": "textarea"}}
DRAFT_REQUEST = {
    "form_schema": SPERRMUELL_FORM,
    "ui_schema": SPERRMUELL_UI,
    "min_fee": "0.00",
    "max_fee": "50.00",
    "default_fee": "25.00",
    "online_submission_allowed": True,
    "changelog": "Neues Feld „Wunschtermin“; Gebühr bis 50 €.",
}


def _version(number: int, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "status": state,
        "form_schema": SPERRMUELL_FORM,
        "ui_schema": SPERRMUELL_UI,
        "default_fee": "25.00",
        "min_fee": "0.00",
        "max_fee": "50.00",
        "online_submission_allowed": True,
        "changelog": DRAFT_REQUEST["changelog"] if number == 2 else "Erste Fassung.",
        "created_at": "2026-11-24T09:00:00Z",
        "published_at": None,
        "retired_at": None,
        **extra,
    }


DRAFT_EXAMPLE = _version(2, "draft")
PUBLISHED_EXAMPLE = _version(2, "published", published_at="2026-11-25T08:00:00Z")
RETIRED_EXAMPLE = _version(1, "retired", published_at="2026-01-15T08:00:00Z", retired_at="2026-11-25T08:30:00Z")


def _validation_error(error: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class CatalogPagination(CursorPagination):
    ordering = "slug"


@extend_schema(
    tags=["operator"],
    summary="List catalogue services with their versions",
    description="Every service of the shared catalogue with all its versions (newest first: drafts, published and "
    "retired) and the number of communes running it as of the last `refresh_tenant_stats`. Requires the role viewer.",
    examples=[
        OpenApiExample(
            "Sperrmüll",
            value={
                "slug": "sperrmuell",
                "title_de": "Sperrmüllabholung beantragen",
                "title_en": "Request bulky waste collection",
                "category": "umwelt",
                "fee_model": "range",
                "active_communes": 412,
                "versions": [DRAFT_EXAMPLE, _version(1, "published", published_at="2026-01-15T08:00:00Z")],
            },
            response_only=True,
        )
    ],
    responses={200: CatalogServiceSerializer(many=True), **AUTH_ERRORS},
)
class CatalogServiceListView(generics.ListAPIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperatorViewer]
    serializer_class = CatalogServiceSerializer
    pagination_class = CatalogPagination

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.catalogue_services()


class _CatalogView(APIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperatorOperator]

    def actor(self, request: Request) -> str:
        return roles.actor(request.user)


@extend_schema(
    tags=["operator"],
    summary="Create a draft version of a service",
    description="Adds the next version of the service as a draft. The form must be a JSON Schema (Draft 2020-12) "
    "of an object with properties; the default fee must lie between the lowest and highest fee. A draft changes "
    "nothing for communes until it is published. Requires the role operator. Recorded in the audit log "
    "(`catalog.version_drafted`).",
    request=DraftVersionSerializer,
    examples=[
        OpenApiExample("Sperrmüll, version 2", value=DRAFT_REQUEST, request_only=True),
        OpenApiExample("Draft created", value=DRAFT_EXAMPLE, response_only=True, status_codes=["201"]),
    ],
    responses={
        201: CatalogVersionSerializer,
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="Invalid input naming the field, e.g. `form_schema` is not a valid JSON Schema or "
            "`default_fee` lies outside the fee range; nothing is stored.",
        ),
        **AUTH_ERRORS,
        **SERVICE_NOT_FOUND,
    },
)
class DraftVersionView(_CatalogView):
    def post(self, request: Request, slug: str) -> Response:
        service = get_object_or_404(Service, slug=slug)
        data = DraftVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            version = catalog.create_draft_version(service, **data.validated_data, actor=self.actor(request))
        except ValidationError as error:
            raise _validation_error(error) from error
        return Response(CatalogVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class _VersionChangeView(_CatalogView):
    def change(self, version: ServiceVersion, actor: str) -> ServiceVersion:
        raise NotImplementedError

    def post(self, request: Request, slug: str, number: int) -> Response:
        version = get_object_or_404(ServiceVersion, service__slug=slug, number=number)
        try:
            version = self.change(version, self.actor(request))
        except ValidationError as error:
            raise _validation_error(error) from error
        return Response(CatalogVersionSerializer(version).data)


@extend_schema(
    tags=["operator"],
    summary="Publish a draft version",
    description="Publishes a draft: communes that activate the service from now on get this version. Communes "
    "that already run the service stay pinned to their version until they upgrade. Requires the role operator. "
    "Recorded in the audit log (`catalog.version_published`).",
    request=None,
    examples=[OpenApiExample("Published", value=PUBLISHED_EXAMPLE, response_only=True)],
    responses={
        200: CatalogVersionSerializer,
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="The version is not a draft (`status`)."),
        **AUTH_ERRORS,
        **VERSION_NOT_FOUND,
    },
)
class PublishVersionView(_VersionChangeView):
    def change(self, version: ServiceVersion, actor: str) -> ServiceVersion:
        return catalog.publish_version(version, actor=actor)


@extend_schema(
    tags=["operator"],
    summary="Retire a version",
    description="Retires a draft or published version: no commune can activate it any more; communes that run it "
    "keep it until they upgrade. Requires the role operator. Recorded in the audit log (`catalog.version_retired`).",
    request=None,
    examples=[OpenApiExample("Retired", value=RETIRED_EXAMPLE, response_only=True)],
    responses={
        200: CatalogVersionSerializer,
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="The version is already retired (`status`)."),
        **AUTH_ERRORS,
        **VERSION_NOT_FOUND,
    },
)
class RetireVersionView(_VersionChangeView):
    def change(self, version: ServiceVersion, actor: str) -> ServiceVersion:
        return catalog.retire_version(version, actor=actor)
