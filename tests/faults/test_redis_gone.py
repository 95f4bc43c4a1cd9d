"""Redis gone: the portal serves from the database, limits fail closed for signups, open for reads."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from branding import selectors as branding_selectors
from signup.models import Application
from tests.helpers import host_client
from tests.signup.helpers import API_APPLICATION as APPLICATION

pytestmark = pytest.mark.django_db


def _apply(client):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/signups/", APPLICATION, content_type="application/json")


def test_without_redis_pages_and_reads_are_served_and_signups_refused(communes, redis_server) -> None:
    zeitz, platform = host_client(communes.zeitz), host_client()
    assert zeitz.get("/").status_code == 200
    assert cache.get(branding_selectors.CACHE_KEY) is not None  # the branding is cached in this Redis
    redis_server.stop()

    # The portal renders from the database; the cache only misses.
    page = zeitz.get("/")
    assert page.status_code == 200
    assert "Zeitz" in page.content.decode()
    # Reads fail open: the API throttle and the directory search let callers through.
    assert platform.get("/api/v1/catalog/services/").status_code == 200
    search = platform.get("/api/v1/municipalities/?search=Leip")
    assert search.status_code == 200
    assert any(item["ags"] == "14713000" for item in search.json())
    # Signups fail closed: without counters an applicant could flood the review queue.
    refused = _apply(platform)
    assert refused.status_code == 503
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "60"
    assert refused.json()["type"].endswith("/temporarily-unavailable")
    form = {**APPLICATION, "accept_terms": "on", "accept_dpa": "on", "website": ""}
    page = platform.post("/signup/apply/14713000/", form, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 503
    assert "Anträge können gerade nicht angenommen werden" in page.content.decode()
    assert not Application.objects.exists()
    # Tracking-number look-ups are a limit against guessing too: they fail closed.
    lookup = zeitz.post("/status/", {"tracking_number": "ZEI-2026-AAAAAA", "email": "a@example.org"})
    assert lookup.status_code == 429

    redis_server.start()
    assert _apply(platform).status_code == 201
    assert Application.objects.count() == 1
