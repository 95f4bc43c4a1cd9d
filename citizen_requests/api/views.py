"""Citizen requests API on a commune's host: anyone submits, the commune's staff handle them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsCommuneStaff
from citizen_requests import attachments, selectors, services
from citizen_requests.api.serializers import (
    ReceiptSerializer,
    RequestDetailSerializer,
    RequestSerializer,
    StatusUpdateSerializer,
    SubmitSerializer,
)
from citizen_requests.models import CitizenRequest, Status
from kommunal.api.docs import problem_example
from kommunal.api.serializers import validation_error
from kommunal.api.throttling import AnonymousCreateThrottle
from tenants.db import connection

MAX_BODY_BYTES = 64 * 1024


INVALID = OpenApiResponse(
    description="Invalid input: malformed JSON, unknown fields, a body over 64 KB or data that does not "
    "match the form. `errors` names each field; nothing is stored.",
    examples=[
        problem_example(
            400,
            "Invalid input",
            "The request has invalid fields; see 'errors'.",
            "validation-error",
            errors=[
                {"field": "email", "message": "Enter a valid email address."},
                {"field": "data.volumen", "message": "This field is required."},
            ],
        )
    ],
)
NOT_OFFERED = OpenApiResponse(
    description="The commune does not offer this service (never activated, deactivated, or not online).",
    examples=[problem_example(404, "Not Found", "This service is not offered here.", "not-found")],
)
FORBIDDEN = OpenApiResponse(
    description="Not signed in as staff of this commune.",
    examples=[problem_example(403, "Forbidden", "Only staff of this commune may do this.", "permission-denied")],
)
RECEIPT_EXAMPLE = OpenApiExample(
    "Receipt",
    value={
        "tracking_number": "ZEI-2026-7K4Q9M",
        "service": "sperrmuell",
        "status": "received",
        "submitted_at": "2026-11-25T09:30:00Z",
    },
    response_only=True,
    status_codes=["201"],
)

REQUEST_EXAMPLE = {
    "tracking_number": "ZEI-2026-7K4Q9M",
    "service": "sperrmuell",
    "version": 1,
    "email": "erika.mustermann@example.org",
    "status": "received",
    "submitted_at": "2026-11-25T09:30:00Z",
    "updated_at": "2026-11-25T09:30:00Z",
}
REQUEST_DATA_EXAMPLE = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Altmarkt 1",
    "plz": "06712",
    "ort": "Zeitz",
    "gegenstaende": "1 Sofa, 2 Stühle",
    "volumen": 2,
}
IN_PROGRESS_EXAMPLE = OpenApiExample(
    "In progress",
    value={
        **REQUEST_EXAMPLE,
        "status": "in_progress",
        "updated_at": "2026-11-26T10:15:00Z",
        "data": REQUEST_DATA_EXAMPLE,
        "changes": [
            {
                "from_status": "received",
                "to_status": "in_progress",
                "actor": "sachbearbeitung@zeitz.de",
                "comment": "Abholung am 3. Dezember.",
                "at": "2026-11-26T10:15:00Z",
            }
        ],
    },
    response_only=True,
    status_codes=["200"],
)


class SubmissionThrottle(AnonymousCreateThrottle):
    """Anonymous submissions per client address; staff calls are not limited."""

    scope = "anon-submission"
    rate = "60/minute"


@extend_schema_view(
    create=extend_schema(
        summary="Submit a request",
        description=(
            "Anyone may submit a request for a service the commune offers online. `data` is validated "
            "against the form (`form_schema` of the version the commune runs, see "
            "`GET /api/v1/catalog/services/{slug}/` and the commune's activation). The answer carries the "
            "tracking number; a confirmation e-mail goes to `email`. Bodies over 64 KB are refused."
        ),
        request=SubmitSerializer,
        responses={201: ReceiptSerializer, 400: INVALID, 404: NOT_OFFERED},
        examples=[
            OpenApiExample(
                "Bulky waste",
                value={
                    "service": "sperrmuell",
                    "email": "erika.mustermann@example.org",
                    "data": REQUEST_DATA_EXAMPLE,
                },
                request_only=True,
            ),
            RECEIPT_EXAMPLE,
        ],
    ),
    list=extend_schema(
        summary="List requests (staff)",
        description="The commune's requests, newest first. Filter with `service` (slug) and `status`.",
        parameters=[
            OpenApiParameter("service", str, description="Service identifier."),
            OpenApiParameter("status", str, enum=Status.values),
        ],
        responses={200: RequestSerializer, 403: FORBIDDEN},
        examples=[OpenApiExample("Bulky waste", value=REQUEST_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One request with data and history (staff)",
        responses={200: RequestDetailSerializer, 403: FORBIDDEN, 404: OpenApiResponse(description="No such request.")},
        examples=[IN_PROGRESS_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change the status (staff)",
        description=(
            "Moves the request along its lifecycle: received → in_progress or rejected; in_progress → "
            "completed or rejected. The change is recorded with who and when, and the citizen is e-mailed "
            "with the comment. Other transitions are refused with 400 naming `status`."
        ),
        request=StatusUpdateSerializer,
        responses={200: RequestDetailSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "Start working on it",
                value={"status": "in_progress", "comment": "Abholung am 3. Dezember."},
                request_only=True,
            ),
            IN_PROGRESS_EXAMPLE,
        ],
    ),
)
class RequestViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CitizenRequest]
):
    required_scopes = {"GET": "requests:read", "POST": "requests:write", "PATCH": "requests:write"}
    throttle_classes = [SubmissionThrottle]
    lookup_field = "tracking_number"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[BasePermission]:
        # Anyone may submit (the document says so: no credentials needed); the rest is for staff.
        return [AllowAny()] if self.action == "create" else [IsCommuneStaff()]

    def get_queryset(self) -> QuerySet[CitizenRequest]:
        params = self.request.query_params
        if "status" in params and params["status"] not in Status.values:
            raise exceptions.ValidationError({"status": [_("Choose one of: %s.") % ", ".join(Status.values)]})
        requests = selectors.inbox(service=params.get("service", ""), status=params.get("status", ""))
        return requests.prefetch_related("changes", "attachments") if self.action == "retrieve" else requests

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return RequestDetailSerializer if self.action == "retrieve" else RequestSerializer

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        declared = str(request.META.get("CONTENT_LENGTH") or "0")
        if (int(declared) if declared.isdigit() else 0) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
            raise exceptions.ValidationError(
                {"data": [_("The request body must not exceed %(kb)s KB.") % {"kb": MAX_BODY_BYTES // 1024}]}
            )
        payload = SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        try:
            created = services.submit_request(
                service_slug=values["service"],
                email=values["email"],
                data=values["data"],
                language=translation.get_language() or "de",
            )
        except LookupError as exc:
            raise exceptions.NotFound(_("This service is not offered here.")) from exc
        except ValidationError as exc:
            errors = exc.message_dict
            raise exceptions.ValidationError(
                {(name if name in ("email", "data") else f"data.{name}"): messages for name, messages in errors.items()}
            ) from exc
        return Response(ReceiptSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download an attachment (staff)",
        description=(
            "Streams one file the citizen attached, as `Content-Disposition: attachment` with the media type "
            "the file's content showed (PDF, JPEG, PNG). The request's detail lists the attachments."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file."),
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such request or attachment."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    )
    def attachment(self, request: Request, tracking_number: str, attachment_id: str) -> HttpResponseBase:
        found = selectors.attachment(tracking_number, attachment_id)
        if found is None:
            raise exceptions.NotFound(_("No such attachment."))
        try:
            return attachments.download_response(found, connection.schema_name)
        except FileNotFoundError as exc:
            raise exceptions.NotFound(_("No such attachment.")) from exc

    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        citizen_request = self.get_object()
        payload = StatusUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.change_status(
                citizen_request,
                to_status=payload.validated_data["status"],
                comment=payload.validated_data["comment"],
                actor=str(request.user.email),  # type: ignore[union-attr]
            )
        except ValidationError as exc:
            raise validation_error(exc) from exc
        citizen_request = self.get_queryset().prefetch_related("changes").get(pk=citizen_request.pk)
        return Response(RequestDetailSerializer(citizen_request).data)
