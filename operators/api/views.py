"""Operator API (``/api/v1/operator/`` on the platform host): the console's actions over REST."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors as billing_selectors
from kommunal.api.pagination import CursorPagination
from operators import actions, roles, selectors
from operators.api.authentication import OperatorTokenAuthentication
from operators.api.permissions import IsOperatorOperator, IsOperatorViewer
from operators.api.serializers import (
    AuditEventSerializer,
    BillingFiguresSerializer,
    MigrationResultSerializer,
    OffboardResultSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
    TenantDetailSerializer,
    TenantSerializer,
)
from operators.audit_csv import audit_csv_response
from tenants import actions as tenant_actions
from tenants.models import Commune

PROBLEM = OpenApiResponse(OpenApiTypes.OBJECT, description="Problem details (application/problem+json).")
AUTH_ERRORS = {
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="No, an unknown, expired or revoked operator token."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="The token's operator role does not allow this."),
}
NOT_FOUND = {404: OpenApiResponse(OpenApiTypes.OBJECT, description="No commune with this address name.")}
TENANT_EXAMPLE = OpenApiExample(
    "Zeitz",
    value={
        "slug": "zeitz",
        "name": "Zeitz",
        "ags": "15084590",
        "land": "Sachsen-Anhalt",
        "landkreis": "Burgenlandkreis",
        "kind": "stadt",
        "status": "active",
        "status_changed_at": "2026-11-24T10:00:00Z",
        "suspension_reason": "",
        "schema_name": "zeitz",
        "portal_url": "https://zeitz.kommunal.example",
        "migration_current": True,
        "migrated_at": "2026-11-24T10:00:00Z",
        "active_services": 12,
        "open_requests": 3,
        "last_activity_at": "2026-11-24T18:30:00Z",
    },
    response_only=True,
)
_DOMAINS = [{"domain": "zeitz.kommunal.example", "is_primary": True, "verified": True}]
TENANT_DETAIL_EXAMPLE = OpenApiExample(
    "Zeitz", value={**TENANT_EXAMPLE.value, "domains": _DOMAINS}, response_only=True, status_codes=["200"]
)
SUSPENDED_EXAMPLE = OpenApiExample(
    "Suspended",
    value={
        **TENANT_EXAMPLE.value,
        "status": "suspended",
        "status_changed_at": "2026-11-25T08:00:00Z",
        "suspension_reason": "Unpaid invoices since March",
        "domains": _DOMAINS,
    },
    response_only=True,
    status_codes=["200"],
)
AUDIT_CSV_EXAMPLE = OpenApiExample(
    "Suspension",
    value=(
        "at,commune,actor,action,target,data\r\n"
        "2026-11-24T10:00:00+00:00,zeitz,operator:ops@provider.example,commune.status_changed,zeitz,"
        '"{""from_status"": ""active"", ""reason"": ""Unpaid"", ""to_status"": ""suspended""}"\r\n'
    ),
    response_only=True,
    status_codes=["200"],
    media_type="text/csv",
)
EXPORT_EXAMPLE = OpenApiExample(
    "Archive",
    summary="zeitz-20261125T080000Z.zip",
    description="A zip archive: `manifest.json` (SHA-256 of every member), one JSON file per model, the "
    "commune's files. The header `X-Archive-SHA256` carries the SHA-256 of the whole archive.",
    value="(binary zip archive)",
    response_only=True,
    status_codes=["200"],
    media_type="application/zip",
)
TENANT_CHOICE_FILTERS = {
    "status": Commune.Status.values,
    "migration": [selectors.MIGRATION_CURRENT, selectors.MIGRATION_BEHIND],
    "billing": list(selectors.BILLING_FILTERS),
}
TENANT_FILTERS = [
    OpenApiParameter("q", str, description="Part of the name or address name, or the start of the AGS."),
    OpenApiParameter("status", str, enum=TENANT_CHOICE_FILTERS["status"], description="Lifecycle status."),
    OpenApiParameter("land", str, description="Land, e.g. `Sachsen`."),
    OpenApiParameter("landkreis", str, description="District, e.g. `Landkreis Leipzig`."),
    OpenApiParameter(
        "migration", str, enum=TENANT_CHOICE_FILTERS["migration"], description="Migration state of the schema."
    ),
    OpenApiParameter(
        "billing",
        str,
        enum=TENANT_CHOICE_FILTERS["billing"],
        description="Billing state: no billing account, paying, or with overdue invoices.",
    ),
]
AUDIT_FILTERS = [
    OpenApiParameter("commune", str, description="Address name (slug) of a commune."),
    OpenApiParameter("actor", str, description="Part of the actor, e.g. `operator:ops@`."),
    OpenApiParameter("action", str, description="Start of the action, e.g. `commune.`."),
    OpenApiParameter("since", str, description="ISO date or date-time (inclusive)."),
    OpenApiParameter("until", str, description="ISO date (inclusive) or date-time (exclusive)."),
]


class OperatorAPIView(APIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperatorOperator]

    def commune(self, slug: str) -> Commune:
        return get_object_or_404(selectors.tenants(), slug=slug)

    def commune_with_schema(self, slug: str) -> Commune:
        """The commune, if its schema is kept (active or suspended); 400 otherwise."""
        commune = self.commune(slug)
        if commune.status not in (Commune.Status.ACTIVE, Commune.Status.SUSPENDED):
            raise serializers.ValidationError(
                {"status": f"The commune is {commune.status}; it has no schema to work on."}
            )
        return commune

    def actor(self, request: Request) -> str:
        return roles.actor(request.user)


class TenantPagination(CursorPagination):
    ordering = ("name", "pk")  # type: ignore[assignment]  # DRF accepts a tuple


@extend_schema(
    tags=["operator"],
    summary="List and filter tenants",
    description="Every commune with its figures from the last `refresh_tenant_stats` run and its migration state. "
    "Requires the role viewer.",
    parameters=TENANT_FILTERS,
    examples=[TENANT_EXAMPLE],
    responses={200: TenantSerializer, **AUTH_ERRORS},
)
class TenantListView(generics.ListAPIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperatorViewer]
    serializer_class = TenantSerializer
    pagination_class = TenantPagination

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = self.request.query_params.dict()
        for name, allowed in TENANT_CHOICE_FILTERS.items():
            if filters.get(name) and filters[name] not in allowed:
                raise serializers.ValidationError({name: f"Choose one of: {', '.join(allowed)}."})
        return selectors.tenants(filters)


@extend_schema(
    tags=["operator"],
    summary="Tenant detail",
    description="One commune with its host names. Requires the role viewer.",
    examples=[TENANT_DETAIL_EXAMPLE],
    responses={200: TenantDetailSerializer, **AUTH_ERRORS, **NOT_FOUND},
)
class TenantDetailView(OperatorAPIView):
    permission_classes = [IsOperatorViewer]

    def get(self, request: Request, slug: str) -> Response:
        return Response(TenantDetailSerializer(self.commune(slug)).data)


def _conflict(description: str) -> dict[int, OpenApiResponse]:
    return {400: OpenApiResponse(OpenApiTypes.OBJECT, description=description)}


class _StatusChangeView(OperatorAPIView):
    input_serializer: type[serializers.Serializer] = OptionalReasonSerializer

    def change(self, commune: Commune, actor: str, reason: str) -> None:
        raise NotImplementedError

    def post(self, request: Request, slug: str) -> Response:
        commune = self.commune(slug)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            self.change(commune, self.actor(request), data.validated_data["reason"])
        except ValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(TenantDetailSerializer(self.commune(slug)).data)


@extend_schema(
    tags=["operator"],
    summary="Suspend a tenant",
    description="The commune's portal and API answer 503 until it is reactivated; its data stays. "
    "Requires the role operator. Recorded in the audit log.",
    request=ReasonSerializer,
    examples=[
        OpenApiExample("Reason", value={"reason": "Unpaid invoices since March"}, request_only=True),
        SUSPENDED_EXAMPLE,
    ],
    responses={
        200: TenantDetailSerializer,
        **_conflict("No reason, or the commune is not active."),
        **AUTH_ERRORS,
        **NOT_FOUND,
    },
)
class SuspendView(_StatusChangeView):
    input_serializer = ReasonSerializer

    def change(self, commune: Commune, actor: str, reason: str) -> None:
        tenant_actions.suspend_commune(commune, actor=actor, reason=reason)


@extend_schema(
    tags=["operator"],
    summary="Reactivate a tenant",
    description="Opens a suspended commune's portal and API again. Requires the role operator.",
    request=OptionalReasonSerializer,
    examples=[OpenApiExample("Reason", value={"reason": "Invoices paid"}, request_only=True), TENANT_DETAIL_EXAMPLE],
    responses={200: TenantDetailSerializer, **_conflict("The commune is not suspended."), **AUTH_ERRORS, **NOT_FOUND},
)
class ReactivateView(_StatusChangeView):
    def change(self, commune: Commune, actor: str, reason: str) -> None:
        tenant_actions.reactivate_commune(commune, actor=actor, reason=reason)


@extend_schema(
    tags=["operator"],
    summary="Migrate a tenant's schema",
    description="Runs `migrate_schemas --schema=<schema>` for this commune and returns its new migration state. "
    "Requires the role operator.",
    request=None,
    examples=[
        OpenApiExample(
            "Migrated",
            value={"slug": "zeitz", "migration_state": "9f2c…", "migration_current": True},
            response_only=True,
        )
    ],
    responses={200: MigrationResultSerializer, **AUTH_ERRORS, **NOT_FOUND},
)
class MigrateView(OperatorAPIView):
    def post(self, request: Request, slug: str) -> Response:
        commune = self.commune_with_schema(slug)
        state = actions.migrate_commune(commune, actor=self.actor(request))
        current = self.commune(slug).migration_current  # type: ignore[attr-defined]
        return Response({"slug": commune.slug, "migration_state": state, "migration_current": current})


@extend_schema(
    tags=["operator"],
    summary="Export a tenant",
    description="Writes the commune's archive (zip: manifest.json with SHA-256 per member, data per model as JSON, "
    "files) to the storage and returns it as download. Requires the role operator.",
    request=None,
    examples=[EXPORT_EXAMPLE],
    responses={
        (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The archive."),
        **AUTH_ERRORS,
        **NOT_FOUND,
    },
)
class ExportView(OperatorAPIView):
    def post(self, request: Request, slug: str) -> FileResponse:
        commune = self.commune_with_schema(slug)
        export = actions.export_commune(commune, actor=self.actor(request))
        response = FileResponse(
            default_storage.open(export.path, "rb"),
            as_attachment=True,
            filename=export.path.rsplit("/", 1)[-1],
            content_type="application/zip",
        )
        response["X-Archive-SHA256"] = export.sha256
        return response


@extend_schema(
    tags=["operator"],
    summary="Offboard a tenant",
    description="Exports the commune, then sets it to offboarded: its hosts stop answering at once; schema and "
    "files are purged after `KOMMUNAL_OFFBOARD_RETENTION_DAYS` by `kommunal purge_offboarded`. Sends "
    "`operators.signals.commune_offboarded` (billing cancels the subscription). Requires the role operator.",
    request=ReasonSerializer,
    examples=[
        OpenApiExample("Reason", value={"reason": "Contract ended 2026-12-31"}, request_only=True),
        OpenApiExample(
            "Offboarded",
            value={
                "slug": "zeitz",
                "status": "offboarded",
                "export_path": "operator-exports/zeitz/zeitz-20261231T000000Z.zip",
                "export_sha256": "3a7b…",
            },
            response_only=True,
        ),
    ],
    responses={
        200: OffboardResultSerializer,
        **_conflict("No reason, or the commune is neither active nor suspended."),
        **AUTH_ERRORS,
        **NOT_FOUND,
    },
)
class OffboardView(OperatorAPIView):
    def post(self, request: Request, slug: str) -> Response:
        commune = self.commune(slug)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            export = actions.offboard_commune(commune, actor=self.actor(request), reason=data.validated_data["reason"])
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return Response(
            {"slug": commune.slug, "status": commune.status, "export_path": export.path, "export_sha256": export.sha256}
        )


@extend_schema(
    tags=["operator"],
    summary="List the audit log",
    description="Audit events, newest first, cursor-paginated. Requires the role viewer.",
    parameters=AUDIT_FILTERS,
    examples=[
        OpenApiExample(
            "Suspension",
            value={
                "id": 42,
                "at": "2026-11-24T10:00:00Z",
                "commune": "zeitz",
                "actor": "operator:ops@provider.example",
                "action": "commune.status_changed",
                "target": "zeitz",
                "data": {"from_status": "active", "to_status": "suspended", "reason": "Unpaid"},
            },
            response_only=True,
        )
    ],
    responses={200: AuditEventSerializer, **AUTH_ERRORS},
)
class AuditListView(generics.ListAPIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperatorViewer]
    serializer_class = AuditEventSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.audit_events(self.request.query_params.dict()).select_related("commune")


@extend_schema(
    tags=["operator"],
    summary="Download the audit log as CSV",
    description="The filtered audit log as CSV (columns at, commune, actor, action, target, data), streamed. "
    "Requires the role viewer.",
    parameters=AUDIT_FILTERS,
    examples=[AUDIT_CSV_EXAMPLE],
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV file."), **AUTH_ERRORS},
)
class AuditCsvView(OperatorAPIView):
    permission_classes = [IsOperatorViewer]

    def get(self, request: Request) -> StreamingHttpResponse:
        return audit_csv_response(selectors.audit_events(request.query_params.dict()))


@extend_schema(
    tags=["operator"],
    summary="Billing figures",
    description="Monthly recurring revenue by service and by Land, open and overdue invoice amounts (net "
    "recurring revenue, gross receivables; euro cents). Requires the role viewer.",
    responses={200: BillingFiguresSerializer, **AUTH_ERRORS},
    examples=[
        OpenApiExample(
            "Figures",
            value={
                "mrr_cents": 12050,
                "mrr_by_service": [
                    {"service": "online-terminvergabe", "title": "Online-Terminvergabe", "mrr_cents": 9800},
                    {"service": "meldebescheinigung", "title": "Meldebescheinigung", "mrr_cents": 2250},
                ],
                "mrr_by_land": [
                    {"land": "Sachsen-Anhalt", "mrr_cents": 7150},
                    {"land": "Sachsen", "mrr_cents": 4900},
                ],
                "open_cents": 10234,
                "open_invoices": 2,
                "overdue_cents": 4403,
                "overdue_invoices": 1,
            },
            response_only=True,
        )
    ],
)
class BillingFiguresView(OperatorAPIView):
    permission_classes = [IsOperatorViewer]

    def get(self, request: Request) -> Response:
        return Response(BillingFiguresSerializer(asdict(billing_selectors.billing_figures())).data)
