"""Appointments API on a commune's host: free slots and booking for anyone, the bookings for staff."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCommuneStaff
from appointments import availability, selectors, services
from appointments.api.serializers import (
    BookingSerializer,
    BookSerializer,
    SlotQuerySerializer,
    SlotSerializer,
    StaffBookingSerializer,
)
from appointments.models import Booking
from citizen_requests.models import CitizenRequest
from kommunal.api.docs import problem_example
from kommunal.api.serializers import validation_error
from kommunal.api.throttling import AnonymousCreateThrottle

MAX_DAYS = 92

NOT_BOOKABLE = OpenApiResponse(
    description="The commune offers no appointments for this service.",
    examples=[problem_example(404, "Not Found", "Appointments cannot be booked for this service.", "not-found")],
)
INVALID = OpenApiResponse(
    description="Invalid input; `errors` names each field.",
    examples=[
        problem_example(
            400,
            "Invalid input",
            "The request has invalid fields; see 'errors'.",
            "validation-error",
            errors=[{"field": "email", "message": "Enter a valid email address."}],
        )
    ],
)
TAKEN = OpenApiResponse(
    description="The time is not (or no longer) free: someone else booked it first. Nothing is stored.",
    examples=[
        problem_example(
            409,
            "Conflict",
            "This time has just been booked by someone else. Please choose another time.",
            "slot-taken",
        )
    ],
)
FORBIDDEN = OpenApiResponse(
    description="Not signed in as staff of this commune.",
    examples=[problem_example(403, "Forbidden", "Only staff of this commune may do this.", "permission-denied")],
)
BOOKING_EXAMPLE = {
    "id": 42,
    "service": "meldebescheinigung",
    "resource": 1,
    "starts_at": "2026-12-07T08:30:00Z",
    "ends_at": "2026-12-07T08:45:00Z",
    "status": "booked",
}

STAFF_EXAMPLE = OpenApiExample(
    "Booking",
    value={
        **BOOKING_EXAMPLE,
        "email": "erika.mustermann@example.org",
        "tracking_number": "ZEI-2026-7K4Q9M",
        "created_at": "2026-11-25T09:35:00Z",
    },
    response_only=True,
)


class SlotTakenError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "slot-taken"


def _bookable(slug: str):  # type: ignore[no-untyped-def]
    settings = selectors.bookable(slug)
    if settings is None:
        raise exceptions.NotFound(_("Appointments cannot be booked for this service."))
    return settings


@extend_schema(
    summary="Free slots of a service",
    description=(
        "Free slots between `date_from` and `date_to` (local days in Europe/Berlin). The period is cut "
        "to the booking horizon and to 92 days from `date_from`; an empty period gives an empty list. Opening hours, breaks, public holidays of the commune's Land, "
        "closures and existing bookings are taken into account. Times are UTC."
    ),
    parameters=[SlotQuerySerializer],
    responses={200: SlotSerializer(many=True), 400: INVALID, 404: NOT_BOOKABLE},
    examples=[
        OpenApiExample(
            "Slots",
            value=[{"starts_at": "2026-12-07T08:30:00Z", "ends_at": "2026-12-07T08:45:00Z", "resource": 1}],
            response_only=True,
        )
    ],
)
class SlotListView(APIView):
    permission_classes = [AllowAny]
    required_scopes = {"GET": "appointments:read"}

    def get(self, request: Request) -> Response:
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        settings = _bookable(query.validated_data["service"])
        today = selectors.today()
        first = max(query.validated_data.get("date_from") or today, today)
        last = min(
            query.validated_data.get("date_to") or today + timedelta(days=settings.horizon_days),
            today + timedelta(days=settings.horizon_days),
            first + timedelta(days=MAX_DAYS - 1),
        )
        slots = availability.free_slots(settings, ags=selectors.commune_ags(), first=first, last=last)
        return Response(SlotSerializer(slots, many=True).data)


class BookOrStaff(BasePermission):
    """Anyone may book; the list of bookings and cancelling are for the commune's staff."""

    def has_permission(self, request: Request, view: object) -> bool:
        if getattr(view, "action", None) == "create":
            return True
        return IsCommuneStaff().has_permission(request, view)  # type: ignore[arg-type]


class BookingThrottle(AnonymousCreateThrottle):
    """Anonymous bookings per client address."""

    scope = "anon-booking"
    rate = "30/minute"


@extend_schema_view(
    create=extend_schema(
        summary="Book a slot",
        description=(
            "Books the free slot starting at `starts_at` on any free counter of the service. The citizen "
            "gets a confirmation e-mail with an iCalendar file and a link to cancel or move. Two bookings "
            "of the same slot never both succeed: the later one gets 409."
        ),
        request=BookSerializer,
        responses={201: BookingSerializer, 400: INVALID, 404: NOT_BOOKABLE, 409: TAKEN},
        examples=[
            OpenApiExample(
                "Book",
                value={
                    "service": "meldebescheinigung",
                    "starts_at": "2026-12-07T08:30:00Z",
                    "email": "erika.mustermann@example.org",
                },
                request_only=True,
            ),
            OpenApiExample("Booked", value=BOOKING_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    list=extend_schema(
        summary="List bookings (staff)",
        description="Live and past bookings of the commune, by start time.",
        responses={200: StaffBookingSerializer, 403: FORBIDDEN},
        examples=[STAFF_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="One booking (staff)",
        responses={200: StaffBookingSerializer, 403: FORBIDDEN, 404: OpenApiResponse(description="No such booking.")},
        examples=[STAFF_EXAMPLE],
    ),
    cancel=extend_schema(
        summary="Cancel a booking (staff)",
        description="Cancels the booking; the citizen is told by e-mail and the slot goes to the waitlist.",
        request=None,
        responses={200: StaffBookingSerializer, 400: INVALID, 403: FORBIDDEN},
        examples=[STAFF_EXAMPLE],
    ),
)
class BookingViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Booking]
):
    permission_classes = [BookOrStaff]
    throttle_classes = [BookingThrottle]
    required_scopes = {"GET": "appointments:read", "POST": "appointments:write"}
    serializer_class = StaffBookingSerializer

    def get_queryset(self) -> QuerySet[Booking]:
        return Booking.objects.select_related("settings__activation__service", "request").order_by("starts_at", "id")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = BookSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        settings = _bookable(values["service"])
        citizen_request = None
        if values.get("tracking_number"):
            citizen_request = CitizenRequest.objects.filter(
                tracking_number=values["tracking_number"], email__iexact=values["email"]
            ).first()
            if citizen_request is None:
                raise exceptions.ValidationError(
                    {"tracking_number": [_("No request with this number and e-mail address.")]}
                )
        try:
            booking = services.book(
                settings,
                starts_at=values["starts_at"],
                email=values["email"],
                actor="api",
                language=translation.get_language() or "de",
                request=citizen_request,
            )
        except ValidationError as exc:
            raise validation_error(exc) from exc
        except services.SlotTaken as exc:
            raise SlotTakenError(str(exc)) from exc
        return Response(BookingSerializer(self.get_queryset().get(pk=booking.pk)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        booking = self.get_object()
        try:
            services.cancel(booking, actor=str(getattr(request.user, "email", "") or "api"))
        except ValidationError as exc:
            raise validation_error(exc) from exc
        return Response(StaffBookingSerializer(self.get_queryset().get(pk=booking.pk)).data)
