"""Onboarding API on the platform host: directory search, applications, operator decisions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kommunal.api.callers import request_client_address
from operators.api.authentication import OperatorTokenAuthentication
from operators.api.permissions import IsOperatorOperator
from signup import actions, ratelimit, selectors
from signup.api.serializers import (
    MunicipalitySerializer,
    RejectSerializer,
    SignupCreateSerializer,
    SignupSerializer,
    SignupUpdateSerializer,
)
from signup.models import Application


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The commune already uses Kommunal or has an open application."
    default_code = "commune-taken"


def _problem(status_code: int, title: str, slug: str, detail: str) -> OpenApiResponse:
    return OpenApiResponse(
        description=title,
        examples=[
            OpenApiExample(
                slug,
                value={
                    "type": f"https://kommunal.readthedocs.io/problems/{slug}",
                    "title": title,
                    "status": status_code,
                    "detail": detail,
                },
            )
        ],
    )


VALIDATION_ERROR = OpenApiResponse(
    description="Invalid input; `errors` names each field.",
    examples=[
        OpenApiExample(
            "validation-error",
            value={
                "type": "https://kommunal.readthedocs.io/problems/validation-error",
                "title": "Invalid input",
                "status": 400,
                "detail": "The request has invalid fields; see 'errors'.",
                "errors": [{"field": "leitweg_id", "message": "The check digits of this Leitweg-ID are wrong."}],
            },
        )
    ],
)
TOO_MANY = _problem(429, "Too Many Requests", "throttled", "Request was throttled. Expected available in 1800 seconds.")
NOT_FOUND = _problem(404, "Not Found", "not-found", "No Application matches the given query.")
FORBIDDEN = _problem(403, "Forbidden", "permission-denied", "You do not have permission to perform this action.")


class LimitUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Applications cannot be accepted right now; please try again in a minute."
    default_code = "temporarily-unavailable"

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait  # DRF's exception handler turns it into Retry-After


def _limit(scope: str, key: str) -> None:
    try:
        ratelimit.hit(scope, key)
    except ratelimit.Limited as limited:
        raise exceptions.Throttled(wait=limited.retry_after) from None
    except ratelimit.Unavailable as unavailable:
        raise LimitUnavailable(unavailable.retry_after) from None


def _as_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


SIGNUP_EXAMPLE = {
    "ags": "15084590",
    "applicant_name": "Christian Thieme",
    "applicant_role": "Oberbürgermeister",
    "applicant_email": "buergermeister@zeitz.de",
    "accept_terms": True,
    "accept_dpa": True,
    "services": ["anwohnerparkausweis"],
    "leitweg_id": "04011000-1234512345-06",
}
_STEPS = {
    "commune": "Registry entry",
    "schema": "Database schema",
    "domain": "Web address",
    "admin": "Administrator account",
    "services": "Chosen services",
    "billing": "Billing customer",
    "welcome_mail": "Welcome e-mail",
    "open": "Portal opened",
}


def _application(name: str, status_code: str = "201", **changes: Any) -> OpenApiExample:
    """An application of Zeitz as SignupSerializer writes it, with ``changes`` applied."""
    done = changes.pop("steps_done", ())
    value = {
        "id": "3f2b8c1e-5d4a-4b7e-9c0f-2a6d8e1b7c54",
        "ags": "15084590",
        "commune_name": "Zeitz",
        "status": "pending_review",
        "email_verified": False,
        "applicant_name": "Christian Thieme",
        "applicant_role": "Oberbürgermeister",
        "services": ["anwohnerparkausweis"],
        "invoice_recipient": "",
        "invoice_street": "",
        "invoice_postcode": "",
        "invoice_city": "",
        "invoice_email": "",
        "leitweg_id": "04011000-1234512345-06",
        "terms_version": "2026-11-01",
        "dpa_version": "2026-11-01",
        "rejection_reason": "",
        "steps": [{"name": step, "title": title, "done": step in done} for step, title in _STEPS.items()],
        "portal_url": None,
        "created_at": "2026-11-25T09:30:00Z",
        **changes,
    }
    return OpenApiExample(name, value=value, response_only=True, status_codes=[status_code])


APPLIED = _application("Submitted")
VERIFIED = _application("E-mail address verified", "200", email_verified=True)
COMPLETED = _application(
    "Billing contact added",
    "200",
    invoice_recipient="Stadt Zeitz, Kämmerei",
    invoice_postcode="06712",
    leitweg_id="991-33333TEST-33",
)
APPROVED = _application(
    "Being set up", "200", status="provisioning", email_verified=True, steps_done=("commune", "schema")
)
REJECTED = _application(
    "Rejected",
    "200",
    status="rejected",
    email_verified=True,
    rejection_reason="The applicant could not be confirmed as a representative of the commune.",
)


@extend_schema(
    tags=["onboarding"],
    summary="Search the official municipality directory",
    description=(
        "Up to 20 municipalities whose name starts with `search` (or whose AGS starts with it, for digits), "
        "each with `taken` when the commune already uses Kommunal or has an open application. "
        "Rate limited per client address (429 with Retry-After)."
    ),
    parameters=[
        OpenApiParameter(
            "search", str, description="Beginning of the name or of the AGS; without it the list is empty."
        )
    ],
    responses={200: MunicipalitySerializer(many=True), 429: TOO_MANY},
    examples=[
        OpenApiExample(
            "Zeitz",
            response_only=True,
            value=[
                {
                    "ags": "15084590",
                    "name": "Zeitz",
                    "official_name": "Zeitz, Stadt",
                    "district": "Burgenlandkreis",
                    "land": "Sachsen-Anhalt",
                    "taken": True,
                }
            ],
        )
    ],
)
class MunicipalityListView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        query = request.query_params.get("search", "").strip()
        if not query:
            return Response([])
        _limit("search-ip", request_client_address(request))
        return Response(MunicipalitySerializer(selectors.municipalities_for_signup(query), many=True).data)


@extend_schema(
    tags=["onboarding"],
    summary="Apply for a commune",
    description=(
        "Stores the application and e-mails a single-use verification link (valid 24 hours) to "
        "`applicant_email`; the application stays `pending_review` and is reviewed once the address is "
        "verified. The response is the same whichever e-mail address is given. Only one open application "
        "per commune exists: a second one (even a simultaneous one) gets 409. Rate limited per client address "
        "and per e-mail address (429 with Retry-After); while those limits cannot be counted, applications are "
        "refused with 503 and Retry-After."
    ),
    request=SignupCreateSerializer,
    responses={
        201: SignupSerializer,
        400: VALIDATION_ERROR,
        409: _problem(409, "Conflict", "commune-taken", "Zeitz already uses Kommunal or has applied."),
        429: TOO_MANY,
        503: _problem(
            503,
            "Service Unavailable",
            "temporarily-unavailable",
            "Applications cannot be accepted right now; please try again in a minute.",
        ),
    },
    examples=[OpenApiExample("Application", value=SIGNUP_EXAMPLE, request_only=True), APPLIED],
)
class SignupCreateView(APIView):
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        serializer = SignupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        _limit("signup-ip", request_client_address(request))
        _limit("signup-email", data["applicant_email"])
        try:
            application = actions.submit_application(**data)
        except actions.CommuneTaken as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(SignupSerializer(application).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["onboarding"])
class SignupDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Follow an application",
        description="Status and provisioning steps of the application with this (unguessable) id.",
        responses={200: SignupSerializer, 404: NOT_FOUND},
        examples=[VERIFIED, APPROVED],
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(SignupSerializer(get_object_or_404(Application.objects.select_related("commune"), pk=pk)).data)

    @extend_schema(
        summary="Complete an application",
        description="Add or change services, phone and billing contact until the e-mail address is verified.",
        request=SignupUpdateSerializer,
        responses={200: SignupSerializer, 400: VALIDATION_ERROR, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "Billing",
                request_only=True,
                value={
                    "invoice_recipient": "Stadt Zeitz, Kämmerei",
                    "invoice_postcode": "06712",
                    "leitweg_id": "991-33333TEST-33",
                },
            ),
            COMPLETED,
        ],
    )
    def patch(self, request: Request, pk: str) -> Response:
        application = get_object_or_404(Application, pk=pk)
        serializer = SignupUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            application = actions.update_application(application, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(SignupSerializer(application).data)


class _OperatorView(APIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperatorOperator]

    def decide(self, request: Request, pk: str, **kwargs: Any) -> Response:
        application = get_object_or_404(Application, pk=pk)
        try:
            application = self.action(application, actor=f"operator:{request.user.email}", **kwargs)  # type: ignore[union-attr]
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        application.refresh_from_db()
        return Response(SignupSerializer(application).data)

    @staticmethod
    def action(application: Application, **kwargs: Any) -> Application:
        raise NotImplementedError


@extend_schema(
    tags=["operator"],
    summary="Approve an application",
    description=(
        "Registers the commune and starts provisioning in the background (schema, host, administrator, "
        "services, billing customer, welcome e-mail). Also retries a failed provisioning. Operators only."
    ),
    request=None,
    responses={200: SignupSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 404: NOT_FOUND},
    examples=[APPROVED],
)
class SignupApproveView(_OperatorView):
    action = staticmethod(actions.approve_application)  # type: ignore[assignment]

    def post(self, request: Request, pk: str) -> Response:
        return self.decide(request, pk)


@extend_schema(
    tags=["operator"],
    summary="Reject an application",
    description="Rejects with a reason that is e-mailed to the applicant; the commune may apply again. Operators only.",
    request=RejectSerializer,
    responses={200: SignupSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 404: NOT_FOUND},
    examples=[
        OpenApiExample(
            "Reason",
            request_only=True,
            value={"reason": "The applicant could not be confirmed as a representative of the commune."},
        ),
        REJECTED,
    ],
)
class SignupRejectView(_OperatorView):
    action = staticmethod(actions.reject_application)  # type: ignore[assignment]

    def post(self, request: Request, pk: str) -> Response:
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.decide(request, pk, reason=serializer.validated_data["reason"])
