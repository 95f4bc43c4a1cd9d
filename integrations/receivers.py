"""Turn domain events into webhook deliveries.

Activation and request events are connected when the app is ready (``IntegrationsConfig``).
Every receiver runs in the schema of the commune that sent the event (the senders do so after
their transaction committed), so a delivery only reaches that commune's subscriptions.
"""

from __future__ import annotations

from typing import Any

from citizen_requests.models import CitizenRequest, StatusChange
from integrations import services


def _activation_data(activation: Any) -> dict[str, Any]:
    return {
        "service": activation.service.slug,
        "version": activation.version.number,
        "is_active": activation.is_active,
    }


def on_service_activated(*, activation: Any, **kwargs: Any) -> None:
    services.emit_event("service.activated", _activation_data(activation))


def on_service_deactivated(*, activation: Any, **kwargs: Any) -> None:
    services.emit_event("service.deactivated", _activation_data(activation))


def _request_data(request: CitizenRequest) -> dict[str, Any]:
    # A thin event: what happened, not the citizen's data. The receiver fetches the request with
    # a key that holds ``requests:read``, so personal data only travels to authorised callers.
    return {
        "tracking_number": request.tracking_number,
        "service": request.service.slug,
        "status": request.status,
        "submitted_at": request.submitted_at.isoformat(),
        "url": f"/api/v1/requests/{request.tracking_number}/",
    }


def on_request_submitted(*, request: CitizenRequest, **kwargs: Any) -> None:
    """``citizen_requests.signals.request_submitted(request=, commune=)``."""
    services.emit_event("request.submitted", _request_data(request))


def on_request_status_changed(*, request: CitizenRequest, change: StatusChange, **kwargs: Any) -> None:
    """``citizen_requests.signals.request_status_changed(request=, change=, commune=)``."""
    data = {**_request_data(request), "from_status": change.from_status, "to_status": change.to_status}
    services.emit_event("request.status_changed", {**data, "changed_at": change.at.isoformat()})


def connect_activation_receivers() -> None:
    from activations import signals

    signals.service_activated.connect(on_service_activated, dispatch_uid="integrations.service_activated")
    signals.service_deactivated.connect(on_service_deactivated, dispatch_uid="integrations.service_deactivated")


def connect_request_receivers() -> None:
    from citizen_requests import signals

    signals.request_submitted.connect(on_request_submitted, dispatch_uid="integrations.request_submitted")
    signals.request_status_changed.connect(
        on_request_status_changed, dispatch_uid="integrations.request_status_changed"
    )
