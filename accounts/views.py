"""The list of a commune's staff accounts for its administrators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import commune_admin_required
from accounts.selectors import commune_users


@commune_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """Everyone who can sign in to the commune's administration, with their role."""
    return render(request, "accounts/staff.html", {"users": commune_users()})
