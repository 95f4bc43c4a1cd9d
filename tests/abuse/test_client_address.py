"""Per-client limits count the real client behind the load balancer, never the balancer itself."""

from __future__ import annotations

from django.core.cache import cache
from django.test import override_settings

from tests.helpers import host_client

ALB = "10.0.0.5"  # the load balancer's address: every request arrives from it


def _get(client, forwarded_for: str):
    return client.get("/api/v1/commune/", REMOTE_ADDR=ALB, HTTP_X_FORWARDED_FOR=forwarded_for)


@override_settings(KOMMUNAL_API_RATES={"key": 1, "user": 1, "anon": 1}, KOMMUNAL_PROXY_HOPS=1)
def test_citizens_behind_the_load_balancer_do_not_share_one_api_limit(communes) -> None:
    cache.clear()
    client = host_client(communes.zeitz)
    assert _get(client, "198.51.100.1").status_code == 200
    assert _get(client, "198.51.100.1").status_code == 429
    assert _get(client, "198.51.100.2").status_code == 200, "another citizen has a budget of their own"
    cache.clear()


@override_settings(KOMMUNAL_API_RATES={"key": 1, "user": 1, "anon": 1}, KOMMUNAL_PROXY_HOPS=1)
def test_an_address_written_by_the_client_does_not_reset_the_api_limit(communes) -> None:
    cache.clear()
    client = host_client(communes.zeitz)
    assert _get(client, "203.0.113.1, 198.51.100.1").status_code == 200
    assert _get(client, "203.0.113.2, 198.51.100.1").status_code == 429
    cache.clear()


@override_settings(KOMMUNAL_API_RATES={"key": 1, "user": 1, "anon": 1}, KOMMUNAL_PROXY_HOPS=0)
def test_without_proxies_a_forged_forwarded_for_is_ignored(communes) -> None:
    cache.clear()
    client = host_client(communes.zeitz)
    assert _get(client, "198.51.100.1").status_code == 200
    assert _get(client, "198.51.100.2").status_code == 429
    cache.clear()


@override_settings(KOMMUNAL_PROXY_HOPS=1)
def test_anonymous_submissions_and_bookings_are_limited_per_real_client(communes, monkeypatch) -> None:
    from appointments.api.views import BookingThrottle
    from citizen_requests.api.views import SubmissionThrottle

    cache.clear()
    monkeypatch.setattr(SubmissionThrottle, "rate", "1/minute")
    monkeypatch.setattr(BookingThrottle, "rate", "1/minute")
    client = host_client(communes.zeitz)
    for path in ("/api/v1/requests/", "/api/v1/appointments/bookings/"):
        first = client.post(
            path, {}, content_type="application/json", REMOTE_ADDR=ALB, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
        assert first.status_code == 400  # counted, and refused for its empty body
        again = client.post(
            path, {}, content_type="application/json", REMOTE_ADDR=ALB, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
        assert again.status_code == 429
        other = client.post(
            path, {}, content_type="application/json", REMOTE_ADDR=ALB, HTTP_X_FORWARDED_FOR="198.51.100.8"
        )
        assert other.status_code == 400, "another citizen behind the same load balancer has a budget of their own"
    cache.clear()
