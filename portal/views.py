"""Pages of the citizen portal."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The commune's landing page."""
    return render(request, "portal/home.html")
