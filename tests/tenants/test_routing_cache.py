"""Routing from the per-process cache: statements per request, invalidation, isolation, recovery."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants import routing
from tenants.models import Commune, Domain
from tests.helpers import host_client
from tests.wsgi_server import get, gunicorn


def _statements(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _registry_statements(statements: list[str]) -> list[str]:
    return [sql for sql in statements if "tenants_domain" in sql or "tenants_commune" in sql]


def test_a_commune_request_costs_at_most_one_statement_more_than_the_same_view_on_the_platform(communes) -> None:
    platform, zeitz, borna = host_client(), host_client(communes.zeitz), host_client(communes.borna)
    first_visit = _statements(zeitz, "/accounts/login/")
    assert len(_registry_statements(first_visit)) == 1  # the host is looked up once ...
    for client in (platform, zeitz, borna):
        client.get("/accounts/login/")

    on_platform = len(_statements(platform, "/accounts/login/"))
    switched = _statements(zeitz, "/accounts/login/")
    again = _statements(zeitz, "/accounts/login/")
    other = _statements(borna, "/accounts/login/")

    assert not _registry_statements(switched + again + other)  # ... and then served from the cache
    assert len(switched) <= on_platform + 1
    assert len(again) == on_platform
    assert len(other) <= on_platform + 1


def test_the_portal_home_needs_no_registry_statement_and_at_most_one_search_path(communes) -> None:
    zeitz, borna = host_client(communes.zeitz), host_client(communes.borna)
    zeitz.get("/")
    borna.get("/")
    statements = _statements(zeitz, "/?q=a") + _statements(borna, "/?q=a")  # rendered, not from the page cache
    assert not _registry_statements(statements)
    assert sum(sql.startswith("SET search_path") for sql in statements) == 2  # one per switch
    again = _statements(borna, "/?q=a")
    assert not [sql for sql in again if sql.startswith("SET search_path")]  # the session has it already
    assert not _registry_statements(again)


def test_a_moved_or_removed_host_is_routed_anew_in_this_process_at_once(communes) -> None:
    host = "service.borna.example"
    domain = Domain.objects.create(domain=host, tenant=communes.borna, is_primary=False, verified_at=timezone.now())
    client = Client(HTTP_HOST=host)
    assert b"Borna" in client.get("/").content

    domain.tenant = communes.zeitz
    domain.save()
    page = client.get("/").content
    assert b"Zeitz" in page
    assert b"Borna" not in page

    domain.delete()
    assert client.get("/").status_code == 404


def test_routing_never_answers_with_another_hosts_commune(communes) -> None:
    hosts = {communes.zeitz.primary_host: communes.zeitz, communes.borna.primary_host: communes.borna}
    for _round in range(3):
        for host, commune in hosts.items():
            route = routing.route_for_host(host)
            assert route is not None
            assert route.commune().schema_name == commune.schema_name
    assert routing.route_for_host("nowhere.localhost") is None
    assert routing.route_for_host(communes.zeitz.primary_host.upper()) is None  # exact host names only


def test_each_request_gets_its_own_commune_instance(communes) -> None:
    route = routing.route_for_host(communes.zeitz.primary_host)
    assert route is not None
    first = route.commune()
    first.name = "changed by a view"
    first.domain_url = "elsewhere.localhost"
    second = route.commune()
    assert second is not first
    assert second.name == communes.zeitz.name
    assert getattr(second, "domain_url", None) != "elsewhere.localhost"
    assert second.suspension_reason == communes.zeitz.suspension_reason  # not routed: loaded on access
    assert second.pk == communes.zeitz.pk
    assert not second._state.adding


def test_a_committed_change_is_heard_through_notify(communes) -> None:
    host = communes.zeitz.primary_host
    assert routing.route_for_host(host) is not None
    hit, _route = routing.cache.get(host)
    assert hit
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_notify(%s, %s)", [routing.CHANNEL, f"commune:{communes.zeitz.pk}"])
    deadline = time.monotonic() + 1
    while routing.cache.get(host)[0] and time.monotonic() < deadline:
        routing.listener.poll()
    assert not routing.cache.get(host)[0]


def test_content_types_stay_cached_per_schema_across_schema_switches(communes) -> None:
    def stored_id() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'accounts' AND model = 'user'")
            return int(cursor.fetchone()[0])

    with tenant_context(communes.zeitz):
        zeitz_type, zeitz_id = ContentType.objects.get_for_model(User), stored_id()
    public_type, public_id = ContentType.objects.get_for_model(User), stored_id()
    assert (zeitz_type.pk, public_type.pk) == (zeitz_id, public_id)

    with CaptureQueriesContext(connection) as captured:
        connection.set_tenant(communes.zeitz)
        assert ContentType.objects.get_for_model(User).pk == zeitz_id
        connection.set_schema_to_public()
        assert ContentType.objects.get_for_model(User).pk == public_id
    assert not captured.captured_queries


def _database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.fixture
def two_workers(communes) -> Iterator[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Two separate single-process servers of the test database (they see committed rows only)."""
    with gunicorn(_database_url()) as first, gunicorn(_database_url()) as second:
        yield first, second


def _set_status(commune: Commune, status: str) -> None:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("UPDATE tenants_commune SET status = %s WHERE id = %s", [status, commune.pk])


def _seconds_until(ports: tuple[int, ...], host: str, status: int) -> float:
    started = time.monotonic()
    while not all(get(port, host)[0] == status for port in ports):
        assert time.monotonic() - started < 5, "not every worker followed the change"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.parametrize("status", [Commune.Status.SUSPENDED, Commune.Status.OFFBOARDED])
def test_a_suspended_or_offboarded_commune_stops_being_served_within_a_second_in_every_worker(
    communes, two_workers, status
) -> None:
    host = communes.zeitz.primary_host
    for port in two_workers:
        assert get(port, host)[0] == 200
        assert get(port, host)[0] == 200  # now from each worker's routing cache
    try:
        _set_status(communes.zeitz, status)
        assert _seconds_until(two_workers, host, 503 if status == Commune.Status.SUSPENDED else 404) < 1
    finally:
        _set_status(communes.zeitz, Commune.Status.ACTIVE)
    assert _seconds_until(two_workers, host, 200) < 1
    assert all(get(port, communes.borna.primary_host)[0] == 200 for port in two_workers)


def test_a_worker_recovers_when_the_database_drops_its_connections(communes, two_workers) -> None:
    host = communes.zeitz.primary_host
    port = two_workers[0]
    assert get(port, host)[0] == 200
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid NOT IN (pg_backend_pid(), %s)",
            [connection.cursor().connection.info.backend_pid],
        )
    time.sleep(0.2)
    assert get(port, host)[0] == 200
    assert get(port, communes.borna.primary_host)[0] == 200


def test_a_connection_that_served_too_many_schemas_is_closed_after_its_request(communes, settings) -> None:
    settings.KOMMUNAL_DB_SCHEMAS_PER_CONNECTION = 2
    wrapper = connections.create_connection("default")
    try:
        for commune in (communes.zeitz, communes.borna, communes.zeitz):
            wrapper.set_tenant(commune)
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM accounts_user")
            wrapper.close_if_unusable_or_obsolete()
            assert wrapper.connection is not None  # two schemas so far: within the bound
        wrapper.set_schema_to_public()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tenants_commune")
        wrapper.close_if_unusable_or_obsolete()
        assert wrapper.connection is None  # the third schema: closed, its catalog cache freed
    finally:
        wrapper.close()


def test_without_a_listening_connection_nothing_is_cached(communes, monkeypatch) -> None:
    host = communes.zeitz.primary_host
    routing.listener.close()

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise psycopg.OperationalError("no connection for LISTEN")

    monkeypatch.setattr(routing.psycopg, "connect", refuse)
    monkeypatch.setattr(routing.listener, "_retry_at", 0.0)
    assert routing.route_for_host(host) is not None
    assert routing.route_for_host(host) is not None  # asked again: still correct, never cached
    assert not routing.cache.get(host)[0]

    monkeypatch.undo()
    routing.listener._retry_at = 0.0
    assert routing.route_for_host(host) is not None
    assert routing.cache.get(host)[0]  # listening again: cached
