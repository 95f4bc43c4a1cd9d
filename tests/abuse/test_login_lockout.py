"""Sign-in lockout (django-axes): per account and per client, per commune, with a message and an audit entry."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from accounts.models import User
from audit.models import AuditEvent
from tests.helpers import ADMIN_PASSWORD, host_client
from tests.operator_helpers import OPERATOR_PASSWORD, make_operator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

LIMIT = 5


def _sign_in(client: Client, email: str, password: str, address: str = "198.51.100.7", **extra):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **extra)


def _fail(client: Client, email: str, times: int, address: str = "198.51.100.7", **extra) -> list[int]:
    return [_sign_in(client, email, "wrong-password", address, **extra).status_code for _ in range(times)]


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_right_password_after_too_many_wrong_ones_is_refused_with_a_clear_message(communes) -> None:
    client = host_client(communes.zeitz)
    assert _fail(client, "admin@zeitz.example", LIMIT) == [200] * (LIMIT - 1) + [429]
    locked = _sign_in(client, "Admin@Zeitz.example", ADMIN_PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429, "the right password does not get through during the lockout"
    assert "signing in is paused for 15 minutes" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="accounts.locked_out")
    assert (event.commune, event.target, event.data["client"]) == (
        communes.zeitz,
        "admin@zeitz.example",
        "198.51.100.7",
    )


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_account_is_locked_from_every_client_and_a_client_for_every_account(communes) -> None:
    client = host_client(communes.zeitz)
    _fail(client, "admin@zeitz.example", LIMIT)
    other_client = _sign_in(client, "admin@zeitz.example", ADMIN_PASSWORD, address="203.0.113.50")
    assert other_client.status_code == 429, "per account: a fresh address does not help"

    User.objects.create_user("staff@zeitz.example", ADMIN_PASSWORD, full_name="Staff")
    _fail(client, "nobody-1@zeitz.example", LIMIT, address="203.0.113.99")
    spraying = _sign_in(client, "staff@zeitz.example", ADMIN_PASSWORD, address="203.0.113.99")
    assert spraying.status_code == 429, "per client: trying many accounts from one address is stopped too"
    assert _sign_in(client, "staff@zeitz.example", ADMIN_PASSWORD, address="203.0.113.1").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT, KOMMUNAL_PROXY_HOPS=1)
def test_citizens_behind_the_load_balancer_are_counted_by_their_own_address(communes) -> None:
    client = host_client(communes.zeitz)
    _fail(client, "nobody@zeitz.example", LIMIT, address="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    User.objects.create_user("staff@zeitz.example", ADMIN_PASSWORD, full_name="Staff")
    behind_same_alb = _sign_in(
        client, "staff@zeitz.example", ADMIN_PASSWORD, address="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert behind_same_alb.status_code == 302, "another citizen behind the same load balancer signs in"


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_lockout_in_one_commune_touches_neither_another_commune_nor_the_operators(communes) -> None:
    make_operator("admin@zeitz.example", "admin")  # the same address as the commune's admin, on the platform
    with schema_context(communes.borna.schema_name):
        User.objects.create_user("admin@zeitz.example", ADMIN_PASSWORD, full_name="Namesake")
    _fail(host_client(communes.zeitz), "admin@zeitz.example", LIMIT)
    assert _sign_in(host_client(communes.zeitz), "admin@zeitz.example", ADMIN_PASSWORD).status_code == 429

    assert _sign_in(host_client(communes.borna), "admin@zeitz.example", ADMIN_PASSWORD).status_code == 302
    assert _sign_in(host_client(communes.borna), "admin@borna.example", ADMIN_PASSWORD).status_code == 302
    assert _sign_in(host_client(), "admin@zeitz.example", OPERATOR_PASSWORD).status_code == 302
    with schema_context(communes.zeitz.schema_name):
        assert AccessAttempt.objects.filter(username="admin@zeitz.example").exists()
    for schema in (communes.borna.schema_name, "public"):
        with schema_context(schema):
            assert not AccessAttempt.objects.exists(), f"no counter of Zeitz in {schema}"


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_operators_are_locked_out_on_the_platform_host(communes) -> None:
    make_operator("ops@provider.example", "admin")
    client = host_client()
    _fail(client, "ops@provider.example", LIMIT)
    assert _sign_in(client, "ops@provider.example", OPERATOR_PASSWORD).status_code == 429
    event = AuditEvent.objects.get(action="accounts.locked_out")
    assert (event.commune, event.target) == (None, "ops@provider.example")
    assert _sign_in(host_client(communes.zeitz), "admin@zeitz.example", ADMIN_PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_successful_sign_in_resets_the_count(communes) -> None:
    client = host_client(communes.zeitz)
    _fail(client, "admin@zeitz.example", LIMIT - 1)
    assert _sign_in(client, "admin@zeitz.example", ADMIN_PASSWORD).status_code == 302
    _fail(host_client(communes.zeitz), "admin@zeitz.example", LIMIT - 1)
    assert _sign_in(host_client(communes.zeitz), "admin@zeitz.example", ADMIN_PASSWORD).status_code == 302
