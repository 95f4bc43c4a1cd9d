"""Turn domain events into webhook deliveries.

Activation events are connected when the app is ready. The request events come from
``citizen_requests.signals``; connect them with ``connect_request_receivers(signals_module)``.
Every receiver runs in the schema of the commune that sent the event (the senders do so after
their transaction committed), so a delivery only reaches that commune's subscriptions.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

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


def _request_data(request: Any) -> dict[str, Any]:
    data = {"id": getattr(request, "pk", None)}
    for field in ("reference", "status", "service_id", "submitted_at", "updated_at"):
        if hasattr(request, field):
            data[field] = getattr(request, field)
    service = getattr(request, "service", None)
    if service is not None and hasattr(service, "slug"):
        data["service"] = service.slug
    return data


def on_request_submitted(*, request: Any, **kwargs: Any) -> None:
    """``citizen_requests.signals.request_submitted(request=, commune=)``."""
    services.emit_event("request.submitted", _request_data(request))


def on_request_status_changed(*, request: Any, change: Any = None, **kwargs: Any) -> None:
    """``citizen_requests.signals.request_status_changed(request=, change=, commune=)``."""
    data = _request_data(request)
    for field in ("from_status", "to_status", "at"):
        if change is not None and hasattr(change, field):
            data[field] = getattr(change, field)
    services.emit_event("request.status_changed", data)


def connect_activation_receivers() -> None:
    from activations import signals

    signals.service_activated.connect(on_service_activated, dispatch_uid="integrations.service_activated")
    signals.service_deactivated.connect(on_service_deactivated, dispatch_uid="integrations.service_deactivated")


def connect_request_receivers(signals: ModuleType) -> None:
    """Connect the request events; call with ``citizen_requests.signals`` from an ``AppConfig.ready``."""
    signals.request_submitted.connect(on_request_submitted, dispatch_uid="integrations.request_submitted")
    signals.request_status_changed.connect(
        on_request_status_changed, dispatch_uid="integrations.request_status_changed"
    )
