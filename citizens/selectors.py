"""Reading a citizen's requests and messages: only ever their own."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from citizen_requests.models import CitizenRequest
from citizens.models import Citizen, Message


def requests_of(citizen: Citizen) -> QuerySet[CitizenRequest]:
    """The citizen's requests in this commune, newest first, with service and unread messages."""
    return (
        CitizenRequest.objects.filter(owner__citizen=citizen)
        .select_related("service", "owner")
        .annotate(
            unread=Count("messages", filter=Q(messages__direction=Message.Direction.TO_CITIZEN, messages__read_at=None))
        )
    )


def request_of(citizen: Citizen, tracking_number: str) -> CitizenRequest | None:
    """One of the citizen's requests with its history; None for anybody else's (or no) request."""
    return (
        CitizenRequest.objects.filter(owner__citizen=citizen, tracking_number=tracking_number)
        .select_related("service", "version", "owner")
        .prefetch_related("changes")
        .first()
    )


def mailbox(citizen: Citizen) -> QuerySet[Message]:
    """Messages from the office to the citizen, newest first."""
    return (
        Message.objects.filter(citizen=citizen, direction=Message.Direction.TO_CITIZEN)
        .select_related("request")
        .order_by("-sent_at", "-id")
    )


def message_of(citizen: Citizen, message_id: int) -> Message | None:
    return Message.objects.filter(citizen=citizen, pk=message_id).select_related("request").first()


def thread(request: CitizenRequest) -> QuerySet[Message]:
    """Every message about ``request``, oldest first (for the staff inbox and the citizen)."""
    return Message.objects.filter(request=request)
