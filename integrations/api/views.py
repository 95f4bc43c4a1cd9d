"""API keys and webhook subscriptions of a commune, for its administrators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsCommuneAdmin
from integrations import selectors, services
from integrations.api.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyInputSerializer,
    ApiKeyOutputSerializer,
    WebhookDeliveryOutputSerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionInputSerializer,
    WebhookSubscriptionOutputSerializer,
)
from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from kommunal.api.idempotency import shown_once

KEY_EXAMPLE = {
    "id": 7,
    "name": "Fachverfahren Gewerbe",
    "prefix": "kk_live_Qm9yb2Fu",
    "scopes": ["requests:read", "webhooks:read"],
    "created_by": "admin@zeitz.example",
    "created_at": "2026-11-24T09:30:00+01:00",
    "expires_at": "2027-11-24T09:30:00+01:00",
    "revoked_at": None,
    "last_used_at": "2026-11-24T10:02:00+01:00",
}
SUBSCRIPTION_EXAMPLE = {
    "id": 3,
    "url": "https://crm.zeitz.example/kommunal/events",
    "events": ["request.submitted", "request.status_changed"],
    "description": "CRM des Bürgerbüros",
    "is_active": True,
    "created_at": "2026-11-24T09:35:00+01:00",
}
DELIVERY_EXAMPLE = {
    "id": 41,
    "event_id": "0b6f4c1e-7a43-4c53-9d53-0c2f6f1f9a10",
    "event": "service.activated",
    "status": "succeeded",
    "attempts": 1,
    "response_status": 204,
    "last_error": "",
    "next_attempt_at": None,
    "created_at": "2026-11-24T09:40:00+01:00",
    "delivered_at": "2026-11-24T09:40:01+01:00",
    "payload": {
        "id": "0b6f4c1e-7a43-4c53-9d53-0c2f6f1f9a10",
        "type": "service.activated",
        "created_at": "2026-11-24T09:40:00+01:00",
        "commune": "zeitz",
        "data": {"service": "meldebescheinigung", "version": 2, "is_active": True},
    },
}


def _validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class ApiKeyListView(generics.ListAPIView[ApiKey]):
    serializer_class = ApiKeyOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"GET": "api_keys:read", "POST": "api_keys:write"}
    ordering_fields = ["id", "name", "created_at", "last_used_at"]

    def get_queryset(self) -> QuerySet[ApiKey]:
        return selectors.api_keys()

    @extend_schema(
        tags=["api-keys"],
        summary="List API keys",
        description="The commune's API keys, revoked and expired ones included. The secret is never shown again.",
        examples=[OpenApiExample("A key", value=KEY_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["api-keys"],
        summary="Create an API key",
        description=(
            "Creates a key acting for the calling administrator with the given scopes. The response "
            "holds the secret; it is shown only this once and stored only as a hash. A key may only "
            "create keys with scopes it holds itself."
        ),
        request=ApiKeyInputSerializer,
        responses={201: ApiKeyCreatedSerializer},
        examples=[
            OpenApiExample(
                "Read requests",
                value={"name": "Fachverfahren Gewerbe", "scopes": ["requests:read"], "expires_in_days": 365},
                request_only=True,
            ),
            OpenApiExample(
                "Created key",
                value={**KEY_EXAMPLE, "secret": "kk_live_Qm9yb2FuZXhhbXBsZS1zZWNyZXQtb25seS1vbmNl"},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = ApiKeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scopes = data.validated_data["scopes"]
        if isinstance(request.auth, ApiKey) and not set(scopes) <= set(request.auth.scopes):
            raise exceptions.PermissionDenied(_("An API key cannot create a key with scopes it does not have."))
        days = data.validated_data.get("expires_in_days")
        try:
            created = services.create_api_key(
                name=data.validated_data["name"],
                scopes=scopes,
                actor=request.user,  # type: ignore[arg-type]
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except DjangoValidationError as error:
            raise _validation_error(error) from None
        created.key.secret = created.secret  # type: ignore[attr-defined]
        return shown_once(Response(ApiKeyCreatedSerializer(created.key).data, status=status.HTTP_201_CREATED), "secret")


@extend_schema(
    tags=["api-keys"],
    summary="Show an API key",
    description="One API key of the commune, without its secret.",
    examples=[OpenApiExample("A key", value=KEY_EXAMPLE)],
)
class ApiKeyDetailView(generics.RetrieveAPIView[ApiKey]):
    serializer_class = ApiKeyOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"GET": "api_keys:read"}

    def get_queryset(self) -> QuerySet[ApiKey]:
        return selectors.api_keys()


class ApiKeyRevokeView(generics.GenericAPIView[ApiKey]):
    serializer_class = ApiKeyOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"POST": "api_keys:write"}

    def get_queryset(self) -> QuerySet[ApiKey]:
        return selectors.api_keys()

    @extend_schema(
        tags=["api-keys"],
        summary="Revoke an API key",
        description="From now on the key is refused with 401. Revoking a revoked key changes nothing.",
        request=None,
        responses={200: ApiKeyOutputSerializer},
        examples=[OpenApiExample("Revoked key", value={**KEY_EXAMPLE, "revoked_at": "2026-11-25T08:00:00+01:00"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        key = services.revoke_api_key(self.get_object(), actor=request.user.email)  # type: ignore[union-attr]
        return Response(ApiKeyOutputSerializer(key).data)


class WebhookListView(generics.ListAPIView[WebhookSubscription]):
    serializer_class = WebhookSubscriptionOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"GET": "webhooks:read", "POST": "webhooks:write"}
    ordering_fields = ["id", "created_at"]
    filterset_fields = ["is_active"]

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return selectors.subscriptions()

    @extend_schema(
        tags=["webhooks"],
        summary="List webhook subscriptions",
        description="The URLs that receive this commune's events. Filter with `is_active`.",
        examples=[OpenApiExample("A subscription", value=SUBSCRIPTION_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["webhooks"],
        summary="Subscribe a URL to events",
        description=(
            "Events are POSTed as JSON to the URL, signed with the header "
            "`Kommunal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<body>'>` using the "
            "subscription's secret, which the response shows this one time. Failed deliveries are "
            "retried with exponential backoff. The URL must be https and reach a public address."
        ),
        request=WebhookSubscriptionInputSerializer,
        responses={201: WebhookSubscriptionCreatedSerializer},
        examples=[
            OpenApiExample(
                "Subscribe",
                value={
                    "url": "https://crm.zeitz.example/kommunal/events",
                    "events": ["request.submitted", "request.status_changed"],
                    "description": "CRM des Bürgerbüros",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Created subscription",
                value={**SUBSCRIPTION_EXAMPLE, "secret": "9f1c" * 16},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = WebhookSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            subscription = services.create_subscription(
                url=data.validated_data["url"],
                events=data.validated_data["events"],
                description=data.validated_data.get("description", ""),
                actor=request.user,  # type: ignore[arg-type]
            )
        except DjangoValidationError as error:
            raise _validation_error(error) from None
        return shown_once(
            Response(WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED),
            "secret",
        )


class WebhookDetailView(generics.RetrieveAPIView[WebhookSubscription]):
    serializer_class = WebhookSubscriptionOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"GET": "webhooks:read", "PATCH": "webhooks:write", "DELETE": "webhooks:write"}

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return selectors.subscriptions()

    @extend_schema(
        tags=["webhooks"],
        summary="Show a webhook subscription",
        description="One subscription, without its secret.",
        examples=[OpenApiExample("A subscription", value=SUBSCRIPTION_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["webhooks"],
        summary="Change a webhook subscription",
        description="Change the URL, the events, the description or pause it with `is_active: false`.",
        request=WebhookSubscriptionInputSerializer(partial=True),
        responses={200: WebhookSubscriptionOutputSerializer},
        examples=[
            OpenApiExample("Pause", value={"is_active": False}, request_only=True),
            OpenApiExample(
                "Paused subscription", value={**SUBSCRIPTION_EXAMPLE, "is_active": False}, response_only=True
            ),
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        subscription = self.get_object()
        data = WebhookSubscriptionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            subscription = services.update_subscription(
                subscription,
                actor=request.user.email,  # type: ignore[union-attr]
                **data.validated_data,
            )
        except DjangoValidationError as error:
            raise _validation_error(error) from None
        return Response(WebhookSubscriptionOutputSerializer(subscription).data)

    @extend_schema(
        tags=["webhooks"],
        summary="Delete a webhook subscription",
        description="No further events are sent to the URL; its delivery log is deleted with it.",
        responses={204: None},
        examples=[OpenApiExample("No content", value=None, response_only=True, status_codes=["204"])],
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_subscription(self.get_object(), actor=request.user.email)  # type: ignore[union-attr]
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookPingView(generics.GenericAPIView[WebhookSubscription]):
    serializer_class = WebhookDeliveryOutputSerializer  # type: ignore[assignment]
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"POST": "webhooks:write"}

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return selectors.subscriptions()

    @extend_schema(
        tags=["webhooks"],
        summary="Send a test event",
        description="Queues a `ping` event to the subscription and returns its delivery.",
        request=None,
        responses={202: WebhookDeliveryOutputSerializer},
        examples=[
            OpenApiExample(
                "Queued ping",
                value={**DELIVERY_EXAMPLE, "event": "ping", "status": "pending", "attempts": 0},
                status_codes=["202"],
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        delivery = services.send_test_event(self.get_object())
        return Response(WebhookDeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["webhooks"],
    summary="List deliveries of a subscription",
    description="Every event sent (or to be sent) to the subscription: status, attempts, last answer, next attempt.",
    examples=[OpenApiExample("A delivery", value=DELIVERY_EXAMPLE)],
)
class WebhookDeliveryListView(generics.ListAPIView[WebhookDelivery]):
    serializer_class = WebhookDeliveryOutputSerializer
    permission_classes = [IsCommuneAdmin]
    required_scopes = {"GET": "webhooks:read"}
    filterset_fields = ["status", "event"]

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view
            return WebhookDelivery.objects.none()
        subscription = get_object_or_404(selectors.subscriptions(), pk=self.kwargs["pk"])
        return selectors.deliveries(subscription)
