"""Access to the operator console: a signed-in operator, verified by TOTP, with a sufficient role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from operators import roles
from operators.models import Role

View = Callable[..., HttpResponseBase]


def operator_required(min_role: str = Role.VIEWER, *, verified: bool = True) -> Callable[[View], View]:
    """Let only operators with at least ``min_role`` through, after their second factor.

    A session not verified by a code is sent to the code page; an operator without any device is
    told to ask for an invitation link (no enrolment on a password alone).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request, "commune", None) is not None:
                raise Http404  # the console exists only on the platform host
            user: Any = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role = roles.role_of(user)
            if role is None:
                raise PermissionDenied
            if verified and not user.is_verified():
                if not user_has_device(user):  # enrolment only through an invitation link
                    return render(request, "operators/otp_missing.html", status=403)
                return redirect(f"{reverse('operators:otp-verify')}?{urlencode({'next': request.get_full_path()})}")
            if not roles.allows(role, min_role):
                raise PermissionDenied
            request.operator_role = role  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
