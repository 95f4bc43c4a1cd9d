"""Nothing of one commune is visible from another: ORM, HTTP, sessions, cache."""

import os

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from tests.helpers import ADMIN_PASSWORD, host_client, signed_in_client

pytestmark = pytest.mark.django_db


def test_each_commune_has_its_own_schema_with_its_own_tables(communes) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'accounts_user' ORDER BY 1"
        )
        schemas = [row[0] for row in cursor.fetchall()]
    assert {"public", "zeitz", "borna"} <= set(schemas)


def test_user_created_in_one_commune_is_invisible_in_the_other(communes) -> None:
    with tenant_context(communes.zeitz):
        User.objects.create_user("sachbearbeiterin@zeitz.example", "x" * 16, full_name="Z")
        assert User.objects.filter(email="sachbearbeiterin@zeitz.example").exists()
    with tenant_context(communes.borna):
        assert not User.objects.filter(email="sachbearbeiterin@zeitz.example").exists()
    assert not User.objects.filter(email="sachbearbeiterin@zeitz.example").exists()  # nor in public


def test_admin_of_one_commune_cannot_sign_in_on_the_other(communes) -> None:
    signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = host_client(communes.borna).post(
        "/accounts/login/", {"username": "admin@zeitz.example", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error
    assert not response.wsgi_request.user.is_authenticated


def test_session_of_one_commune_is_worthless_on_the_other(communes) -> None:
    zeitz = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert zeitz.get("/api/v1/users/").status_code == 200

    borna = host_client(communes.borna)
    borna.cookies = zeitz.cookies  # a stolen or mis-scoped session cookie
    response = borna.get("/api/v1/users/")
    assert response.status_code in (401, 403)
    assert "admin@zeitz.example" not in response.content.decode()


def test_user_list_api_shows_only_the_communes_own_accounts(communes) -> None:
    with tenant_context(communes.borna):
        User.objects.create_user("kasse@borna.example", "x" * 16, full_name="Kasse Borna")
    emails = [
        u["email"]
        for u in signed_in_client(communes.zeitz, "admin@zeitz.example").get("/api/v1/users/").json()["results"]
    ]
    assert emails == ["admin@zeitz.example"]


def test_operator_accounts_never_appear_in_a_communes_user_list(communes) -> None:
    User.objects.create_superuser("ops@dataport.example", "x" * 16, full_name="Operator")
    emails = [
        u["email"]
        for u in signed_in_client(communes.zeitz, "admin@zeitz.example").get("/api/v1/users/").json()["results"]
    ]
    assert "ops@dataport.example" not in emails


CACHE_BACKENDS = {"locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("KOMMUNAL_TEST_REDIS_URL"):  # CI sets it when a Redis server answers
    CACHE_BACKENDS["redis"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["KOMMUNAL_TEST_REDIS_URL"],
    }


@pytest.mark.parametrize("backend", list(CACHE_BACKENDS))
def test_cache_entries_are_scoped_to_the_commune(communes, settings, backend) -> None:
    settings.CACHES = {"default": {**CACHE_BACKENDS[backend], "KEY_FUNCTION": "django_tenants.cache.make_key"}}
    from django.core.cache import caches

    cache = caches.create_connection("default")
    with tenant_context(communes.zeitz):
        cache.set("opening-hours", "Mo-Fr 8-16")
    with tenant_context(communes.borna):
        assert cache.get("opening-hours") is None
    with tenant_context(communes.zeitz):
        assert cache.get("opening-hours") == "Mo-Fr 8-16"
        cache.delete("opening-hours")
