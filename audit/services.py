"""Writing to the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.models import AuditEvent

if TYPE_CHECKING:
    from tenants.models import Commune

SYSTEM = "system"


def record(
    action: str, *, actor: str = SYSTEM, commune: Commune | None = None, target: str = "", **data: Any
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records.

    The table lives in the public schema, which is on every tenant's search path, so this works
    the same on the platform host, on a commune's host and in a background task.
    """
    return AuditEvent.objects.create(action=action, actor=actor, commune=commune, target=target, data=data)
