"""Sign-in lockout (django-axes): who is counted, and the audit entry of a lockout.

Failed sign-ins are counted per account (the e-mail address, case-insensitive) and per client
address behind ``KOMMUNAL_PROXY_HOPS`` proxies. Axes keeps its counters in the schema the request
is routed to, so a commune's staff and the provider's operators are counted apart.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent


def username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt is for, normalised as accounts are stored."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def record_lockout(sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any) -> None:
    """Write ``accounts.locked_out`` to the audit log (which commune, which account, which client).

    Axes signals every refused attempt during a lockout; one entry per lockout period is enough.
    """
    commune = getattr(request, "commune", None)
    already = AuditEvent.objects.filter(
        action="accounts.locked_out",
        commune=commune,
        target=username,
        data__client=ip_address,
        at__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )
    if already.exists():
        return
    audit.record(
        "accounts.locked_out", actor=f"client:{ip_address}", commune=commune, target=username, client=ip_address
    )


def lockout_response(request: HttpRequest, original_response: Any, credentials: dict[str, Any] | None) -> HttpResponse:
    """The page a locked-out sign-in gets: 429, what happened and how long the pause lasts."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def connect() -> None:
    """Listen to django-axes' lockout signal (called from ``AccountsConfig.ready``)."""
    from axes.signals import user_locked_out

    user_locked_out.connect(record_lockout, dispatch_uid="accounts.lockout.audit")
