"""Upper/Lower Sorbian only where the commune switched it on; German everywhere else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from branding.models import REGIONAL_LANGUAGES
from branding.selectors import request_branding

REGIONAL = {code for code, _name in REGIONAL_LANGUAGES}


def portal_languages(request: HttpRequest) -> list[str]:
    """The language codes offered on this host: German, English and the commune's regional language."""
    codes = [code for code, _name in settings.LANGUAGES if code not in REGIONAL]
    if getattr(request, "commune", None) is not None and (regional := request_branding(request).regional_language):
        codes.append(regional)
    return codes


class RegionalLanguageMiddleware:
    """Runs after ``LocaleMiddleware``: a regional language the host does not offer becomes German."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language()
        if language in REGIONAL and language not in portal_languages(request):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
