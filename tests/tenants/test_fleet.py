"""The fleet migrator (``kommunal migrate_locked``, ``tenants.fleet``).

The migrations these tests apply are added to the migration graph of the ``branding`` app for the
duration of a test only (``MigrationLoader.build_graph`` is wrapped), so no real app gains test
migrations. Each test makes its own communes (schemas cloned from the template) and drops them
afterwards; the commands are limited to them with ``--schema``, so the session's communes are
never touched.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from tenants import migration_state, template
from tenants.models import Commune
from tenants.signals import record_migration_state

APP = "branding"

pytestmark = pytest.mark.django_db(transaction=True)


def _migration(name: str, dependency: tuple[str, str], operations: list[Any], atomic: bool) -> migrations.Migration:
    attributes = {"dependencies": [dependency], "operations": operations, "atomic": atomic}
    return type("Migration", (migrations.Migration,), attributes)(name, APP)


def _write_schema_name(apps: Any, schema_editor: Any) -> None:
    probe = apps.get_model(APP, "FleetProbe")
    probe.objects.create(note=schema_editor.connection.schema_name)


def _add_field() -> list[Any]:
    return [
        migrations.AddField("branding", "fleet_motto", models.CharField(max_length=40, null=True, db_index=True)),
        migrations.CreateModel(
            "FleetProbe",
            [("id", models.BigAutoField(primary_key=True)), ("note", models.CharField(max_length=63, unique=True))],
        ),
    ]


def _run_python() -> list[Any]:
    return [migrations.RunPython(_write_schema_name, migrations.RunPython.noop)]


def _check_constraint() -> list[Any]:
    return [migrations.RunSQL("ALTER TABLE branding_fleetprobe ADD CONSTRAINT fleet_not_bad CHECK (note <> 'bad')")]


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """``graph(ops_a, ops_b, ...)``: the branding app gains these migrations, in this order."""
    leaf = next(node for node in MigrationLoader(None).graph.leaf_nodes() if node[0] == APP)
    extra: list[migrations.Migration] = []
    build_graph = MigrationLoader.build_graph

    def build_with_extra(loader: MigrationLoader) -> None:
        build_graph(loader)
        for migration in extra:
            key = (migration.app_label, migration.name)
            loader.disk_migrations[key] = migration
            loader.graph.add_node(key, migration)
            for parent in migration.dependencies:
                loader.graph.add_dependency(migration, key, parent)

    def add(*operation_lists: list[Any], atomic: bool = True) -> None:
        extra.clear()
        parent = leaf
        for number, operations in enumerate(operation_lists, start=1):
            migration = _migration(f"9{number:03d}_fleet_test", parent, operations, atomic)
            extra.append(migration)
            parent = (APP, migration.name)
        migration_state._graph_leaves.cache_clear()

    monkeypatch.setattr(MigrationLoader, "build_graph", build_with_extra)
    yield add
    monkeypatch.undo()
    migration_state._graph_leaves.cache_clear()


@pytest.fixture
def make_schemas() -> Iterator[Callable[..., list[str]]]:
    """``make_schemas("a", "b")``: communes with those schema names, cloned from the template."""
    made: list[str] = []

    def make(*names: str) -> list[str]:
        template.refresh_template()
        for name in names:
            Commune.objects.create(
                name=name,
                ags=f"99{len(made):06d}",
                land="Test",
                landkreis="Test",
                slug=name.replace("_", "-"),
                schema_name=name,
                status=Commune.Status.ACTIVE,
            )
            made.append(name)
            template.clone_template(name)
            record_migration_state(sender=None, schema_name=name)
        return list(names)

    yield make
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    Commune.objects.filter(schema_name__in=made).delete()


def migrate(*schemas: str, **options: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    args = [f"--schema={name}" for name in schemas]
    call_command("migrate_locked", *args, stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def applied(schema: str) -> list[str]:
    return Commune.objects.get(schema_name=schema).applied_migrations


def fleet_rows(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT name FROM "{schema}".django_migrations WHERE app = %s AND name LIKE %s ORDER BY 1',  # noqa: S608
            [APP, "9%"],
        )
        return [row[0] for row in cursor.fetchall()]


def structure(schema: str) -> str:
    """``pg_dump --schema-only`` of one schema, with its name replaced by ``SCHEMA``."""
    database = settings.DATABASES["default"]
    dump = subprocess.run(
        [
            "pg_dump",
            "--schema-only",
            f"--schema={schema}",
            "-h",
            database["HOST"],
            "-p",
            str(database["PORT"]),
            "-U",
            database["USER"],
            database["NAME"],
        ],
        check=True,
        capture_output=True,
        text=True,
        env={"PGPASSWORD": database.get("PASSWORD") or ""},
    ).stdout
    # \restrict and \unrestrict carry a random key per dump.
    dump = re.sub(r"^\\(un)?restrict .*$", "", dump, flags=re.MULTILINE)
    return re.sub(rf"\b{re.escape(schema)}\b", "SCHEMA", dump)


def test_a_fleet_migrated_schema_is_identical_to_one_migrated_by_django(graph, make_schemas) -> None:
    canary, replayed, by_django = make_schemas("fl_one", "fl_two", "fl_zdjango")
    graph(_add_field(), _run_python(), _check_constraint())

    output = migrate(canary, replayed, workers=1)
    call_command("migrate_schemas", tenant=True, schema_name=by_django, interactive=False, verbosity=0)
    connection.set_schema_to_public()

    assert "2 schemas: 3 migrations by the fast path" in output
    expected = ["9001_fleet_test", "9002_fleet_test", "9003_fleet_test"]
    assert fleet_rows(replayed) == fleet_rows(by_django) == expected
    assert structure(replayed) == structure(by_django)
    assert structure(canary) == structure(by_django)
    assert "fleet_motto" in structure(replayed)
    assert applied(replayed) == applied(by_django)
    assert set(migration_state.expected_tenant_migrations()) <= set(applied(replayed))


def test_run_python_runs_once_in_each_schema_and_only_there(graph, make_schemas) -> None:
    schemas = make_schemas("fl_one", "fl_two", "fl_three")
    graph(_add_field(), _run_python())

    output = migrate(*schemas, workers=2, batch_size=1)

    assert "migrated 3/3 (100%), 0 failed" in output
    for schema in schemas:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT note FROM "{schema}".branding_fleetprobe')  # noqa: S608
            assert cursor.fetchall() == [(schema,)]
            # The post-migrate signal made the new model's content type and permissions everywhere.
            cursor.execute(
                f'SELECT count(*) FROM "{schema}".auth_permission p JOIN "{schema}".django_content_type t '  # noqa: S608
                "ON t.id = p.content_type_id WHERE t.model = 'fleetprobe'"
            )
            assert cursor.fetchone()[0] == 4
        assert fleet_rows(schema) == ["9001_fleet_test", "9002_fleet_test"]


def test_schemas_at_different_states_all_reach_the_end(graph, make_schemas) -> None:
    ahead, *behind = make_schemas("fl_ahead", "fl_one", "fl_two")
    graph(_add_field())
    migrate(ahead, workers=1)
    graph(_add_field(), _run_python())
    assert fleet_rows(ahead) == ["9001_fleet_test"]

    output = migrate(ahead, *behind, workers=1)

    assert "3 commune schemas to migrate in 2 states" in output
    assert "2 schemas: 2 migrations by the fast path" in output
    assert "1 schemas: 1 migrations by the fast path" in output
    for schema in (ahead, *behind):
        assert fleet_rows(schema) == ["9001_fleet_test", "9002_fleet_test"]
        assert migration_state.schema_is_migrated(schema)
        assert set(migration_state.expected_tenant_migrations()) <= set(applied(schema))
    assert structure(ahead) == structure(behind[1])


def test_a_failing_schema_is_rolled_back_and_reported_and_a_rerun_finishes(graph, make_schemas) -> None:
    schemas = make_schemas("fl_a", "fl_b", "fl_c", "fl_d")
    graph(_add_field())
    migrate(*schemas, workers=1)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fl_c.branding_fleetprobe (note) VALUES ('bad')")
    graph(_add_field(), _check_constraint())

    with pytest.raises(CommandError, match=r"(?s)1 of 4 schemas could not be migrated.*fl_c: .*fleet_not_bad"):
        migrate(*schemas, workers=2, batch_size=2)

    assert [schema for schema in schemas if fleet_rows(schema) == ["9001_fleet_test"]] == ["fl_c"]
    assert "branding.9002_fleet_test" not in applied("fl_c")
    assert "branding.9002_fleet_test" in applied("fl_d")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.conname = 'fleet_not_bad' AND n.nspname = 'fl_c'"
        )
        assert cursor.fetchone()[0] == 0  # nothing half-made

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fl_c.branding_fleetprobe WHERE note = 'bad'")
    output = migrate(*schemas, workers=1)
    assert "1 commune schemas to migrate in 1 states; 3 up to date" in output
    assert all(fleet_rows(schema) == ["9001_fleet_test", "9002_fleet_test"] for schema in schemas)


def test_a_non_atomic_migration_takes_djangos_path_for_every_schema(graph, make_schemas) -> None:
    schemas = make_schemas("fl_one", "fl_two", "fl_three")
    graph(_add_field(), atomic=False)

    output = migrate(*schemas, workers=2, batch_size=1)

    assert "3 schemas: the migrations by the slow path (a migration of the plan is not atomic)" in output
    assert "migrated 3/3 (100%), 0 failed" in output
    for schema in schemas:
        assert fleet_rows(schema) == ["9001_fleet_test"]
        assert migration_state.schema_is_migrated(schema)
    assert structure(schemas[0]) == structure(schemas[2])


def test_dry_run_prints_the_plan_and_changes_nothing(graph, make_schemas) -> None:
    schemas = make_schemas("fl_one", "fl_two")
    graph(_add_field(), _run_python())

    output = migrate(*schemas, dry_run=True)

    assert "branding.9001_fleet_test [sql]" in output
    assert 'ALTER TABLE "branding_branding" ADD COLUMN "fleet_motto" varchar(40) NULL;' in output
    assert "branding.9002_fleet_test [python]" in output
    assert all(fleet_rows(schema) == [] for schema in schemas)
    assert not any(set(migration_state.expected_tenant_migrations()) <= set(applied(schema)) for schema in schemas)


def test_nothing_to_apply_costs_the_same_queries_for_one_schema_or_many(make_schemas) -> None:
    schemas = make_schemas("fl_one", "fl_two", "fl_three", "fl_four")
    with CaptureQueriesContext(connection) as one:
        migrate(schemas[0])
    with CaptureQueriesContext(connection) as four:
        output = migrate(*schemas)
    assert "0 commune schemas to migrate in 0 states; 4 up to date" in output
    assert len(four.captured_queries) == len(one.captured_queries) <= 8


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workers=0"], "Expected a whole number of at least 1, got '0'."),
        (["--batch-size=many"], "Expected a whole number of at least 1, got 'many'."),
        (["--schema=nowhere"], "No commune has the schema nowhere"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(options: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("migrate_locked", *options, stdout=io.StringIO())
