"""Activations API on a commune's host: the commune admin manages which services the portal offers."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsCommuneAdmin
from activations import selectors, services
from activations.api.serializers import (
    ActivateSerializer,
    ActivationSerializer,
    LocalSettingsSerializer,
    TextsSerializer,
)
from activations.models import Activation
from kommunal.api.docs import problem_example
from kommunal.api.serializers import validation_error

INVALID = OpenApiResponse(
    description="Invalid input; `errors` names each field (problem+json). Nothing was changed.",
    examples=[
        problem_example(
            400,
            "Invalid input",
            "The request has invalid fields; see 'errors'.",
            "validation-error",
            errors=[{"field": "fee", "message": "The fee must not exceed 200.00 EUR."}],
        )
    ],
)
FORBIDDEN = OpenApiResponse(
    description="Not signed in as an administrator of this commune.",
    examples=[
        problem_example(403, "Forbidden", "Only administrators of this commune may do this.", "permission-denied")
    ],
)
NOT_FOUND = OpenApiResponse(
    description="This commune has no activation of that service.",
    examples=[problem_example(404, "Not Found", "No Activation matches the given query.", "not-found")],
)
ACTIVATION_EXAMPLE = OpenApiExample(
    "Bulky waste collection",
    value={
        "service": "sperrmuell",
        "title": "Sperrmüllabholung anmelden",
        "version": 1,
        "is_active": True,
        "fee": None,
        "office_name": "Abfallwirtschaft Zeitz",
        "contact_email": "abfall@zeitz.de",
        "contact_phone": "03441 83-0",
        "opening_hours": "Mo-Fr 8-12 Uhr",
        "notes": "",
        "online_submission": True,
        "texts": {"de": {"title": "Sperrmüll abholen lassen"}, "en": {"title": "Have bulky waste collected"}},
        "activated_at": "2026-11-25T01:00:00Z",
        "updated_at": "2026-11-25T01:00:00Z",
    },
    response_only=True,
)
DEACTIVATED_EXAMPLE = OpenApiExample(
    "Deactivated",
    value={**ACTIVATION_EXAMPLE.value, "is_active": False, "updated_at": "2026-11-26T14:05:00Z"},
    response_only=True,
)
UPGRADED_EXAMPLE = OpenApiExample(
    "Upgraded to version 2",
    value={**ACTIVATION_EXAMPLE.value, "version": 2, "updated_at": "2026-11-26T14:05:00Z"},
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List the commune's activated services",
        description="Every service this commune activated, active or deactivated, with its pinned version.",
        responses={200: ActivationSerializer, 403: FORBIDDEN},
        examples=[ACTIVATION_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="One activated service",
        responses={200: ActivationSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[ACTIVATION_EXAMPLE],
    ),
    create=extend_schema(
        summary="Activate a catalogue service",
        description=(
            "Offers the service in this commune's portal at its newest published version, with local "
            "settings validated against what the version allows (fee range, online submission). "
            "Activating a deactivated service reactivates it at its version."
        ),
        request=ActivateSerializer,
        responses={201: ActivationSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "Activate with settings",
                value={"service": "sperrmuell", "office_name": "Abfallwirtschaft", "online_submission": True},
                request_only=True,
            ),
            ACTIVATION_EXAMPLE,
        ],
    ),
    partial_update=extend_schema(
        summary="Change local settings",
        description="Only the fields given change; the result is validated against the pinned version.",
        request=LocalSettingsSerializer,
        responses={200: ActivationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[OpenApiExample("New fee", value={"fee": "25.00"}, request_only=True), ACTIVATION_EXAMPLE],
    ),
)
class ActivationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Activation]
):
    serializer_class = ActivationSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {
        "GET": "activations:read",
        "POST": "activations:write",
        "PATCH": "activations:write",
        "PUT": "activations:write",
    }
    lookup_field = "service__slug"
    lookup_url_kwarg = "service"
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> QuerySet[Activation]:
        return selectors.activations().order_by("-id")

    def _actor(self) -> str:
        return str(self.request.user.email)  # type: ignore[union-attr]

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = ActivateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        slug = data.pop("service")
        try:
            activation = services.activate_service(
                service_slug=slug, actor=self._actor(), local=services.LocalSettings(**data)
            )
        except ValidationError as exc:
            raise validation_error(exc) from exc
        return Response(ActivationSerializer(activation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        activation = self.get_object()
        payload = LocalSettingsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        current = services.LocalSettings.of(activation)
        try:
            activation = services.update_local_settings(
                activation, actor=self._actor(), local=replace(current, **payload.validated_data)
            )
        except ValidationError as exc:
            raise validation_error(exc) from exc
        return Response(ActivationSerializer(activation).data)

    @extend_schema(
        summary="Deactivate",
        description="The portal stops offering the service (404 there); settings and requests stay.",
        request=None,
        responses={200: ActivationSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[DEACTIVATED_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, service: str) -> Response:
        activation = services.deactivate_service(self.get_object(), actor=self._actor())
        return Response(ActivationSerializer(activation).data)

    @extend_schema(
        summary="Reactivate",
        description="Offer a deactivated service again, at the version it had.",
        request=None,
        responses={200: ActivationSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[ACTIVATION_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, service: str) -> Response:
        activation = services.activate_service(service_slug=self.get_object().service.slug, actor=self._actor())
        return Response(ActivationSerializer(activation).data)

    @extend_schema(
        summary="Replace the commune's own texts",
        description=(
            "Sets the commune's own title and texts of the service per language; texts left out return "
            "to the catalogue's. The portal shows them at once (its cached pages are renewed)."
        ),
        request=TextsSerializer,
        responses={200: ActivationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "Own German and English title",
                value={
                    "texts": {
                        "de": {"title": "Sperrmüll abholen lassen"},
                        "en": {"title": "Have bulky waste collected"},
                    }
                },
                request_only=True,
            ),
            ACTIVATION_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["put"])
    def texts(self, request: Request, service: str) -> Response:
        activation = self.get_object()
        payload = TextsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            activation = services.update_texts(activation, actor=self._actor(), texts=payload.validated_data["texts"])
        except ValidationError as exc:
            raise validation_error(exc) from exc
        return Response(ActivationSerializer(activation).data)

    @extend_schema(
        summary="Upgrade to the newest published version",
        description=(
            "Moves the activation to the newest published catalogue version if it is newer, keeping the "
            "local settings when the new version allows them (400 naming the field otherwise)."
        ),
        request=None,
        responses={200: ActivationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[UPGRADED_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def upgrade(self, request: Request, service: str) -> Response:
        try:
            activation = services.upgrade_activation(self.get_object(), actor=self._actor())
        except ValidationError as exc:
            raise validation_error(exc) from exc
        return Response(ActivationSerializer(activation).data)
