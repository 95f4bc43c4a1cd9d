"""The citizen's own keys in the session: separate from the staff login (``_auth_user_id``).

Sessions live in the commune's schema, so a citizen session of one commune does not exist on
another commune's host.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from citizens.models import Login

LOGIN_KEY = "citizens:login"
PENDING_KEY = "citizens:pending"


def start(request: HttpRequest, login: Login) -> None:
    """Sign the citizen in under a new session key (no fixation)."""
    request.session.cycle_key()
    request.session[LOGIN_KEY] = login.pk


def end(request: HttpRequest) -> None:
    request.session.pop(LOGIN_KEY, None)
    request.session.cycle_key()


def current_login(request: HttpRequest) -> Login | None:
    """The citizen's login of this session, or None (also for a deleted account)."""
    if not hasattr(request, "_citizen_login"):
        login_id = request.session.get(LOGIN_KEY)
        login = None
        if isinstance(login_id, int):
            login = Login.objects.select_related("citizen").filter(pk=login_id, citizen__deleted_at=None).first()
        request._citizen_login = login  # type: ignore[attr-defined]
    return request._citizen_login  # type: ignore[attr-defined,no-any-return]


def login_url(next_url: str) -> str:
    return f"{reverse('citizens:login')}?{urlencode({'next': next_url})}"


def citizen_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Views for logged-in citizens; others go to the login first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        login = current_login(request)
        if login is None:
            return redirect(login_url(request.get_full_path()))
        return view(request, login, *args, **kwargs)

    return wrapper
