"""A submitted request starts its delivery (``citizen_requests.signals.request_submitted``).

The signal is sent after the request's transaction committed, in the commune's schema.
"""

from __future__ import annotations

from typing import Any

from citizen_requests.models import CitizenRequest
from transmission import services


def on_request_submitted(*, request: CitizenRequest, **kwargs: Any) -> None:
    services.start_delivery(request)


def connect() -> None:
    from citizen_requests import signals

    signals.request_submitted.connect(on_request_submitted, dispatch_uid="transmission.request_submitted")
